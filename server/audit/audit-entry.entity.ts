import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeScalar } from '../core/scalars';
import { Role } from '../auth/role';

/** One write through the API: who (subject, role, unit), what (operation and its input), when. */
@ObjectType({ description: 'A write made through the API (nhật ký thay đổi)' })
@Entity('audit_entry')
@Index('ix_audit_entry_unit', ['unitId', 'id'])
export class AuditEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  /** The viewer's unit: the access layer filters the log by it. */
  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Field({ description: 'Code of the unit the writer acted for' })
  @Column({ name: 'unit_code', type: 'varchar', length: 16 })
  unitCode: string;

  @Field({ description: 'Token subject of the writer' })
  @Column({ type: 'varchar', length: 128 })
  subject: string;

  @Field(() => Role)
  @Column({ type: 'varchar', length: 32 })
  role: Role;

  @Field({ description: 'Mutation fields run, e.g. "recordObservations"' })
  @Column({ type: 'varchar', length: 255 })
  operation: string;

  @Field({ description: 'The variables sent, as JSON (cut at 4,000 characters)' })
  @Column({ type: 'text' })
  input: string;

  @Field({ description: 'Whether the write went through without errors' })
  @Column({ type: 'boolean' })
  succeeded: boolean;

  @Field(() => DateTimeScalar)
  @Column({ name: 'recorded_at', type: 'varchar', length: 30 })
  recordedAt: string;
}
