import { Field, ObjectType } from 'type-graphql';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Role } from './role';

@ObjectType({ description: 'Who is asking: the token subject, its role and the unit whose subtree it may see' })
export class Viewer {
  @Field({ description: 'The token subject' })
  subject: string;

  @Field(() => Role)
  role: Role;

  @Field(() => AdministrativeUnit)
  unit: AdministrativeUnit;
}
