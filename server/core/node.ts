import { Field, ID, InterfaceType } from 'type-graphql';

// The id functions carry no decorators, so modules that only parse ids (limits, CLIs) need no reflect-metadata.
export { parseGlobalId, rowIdOf, toGlobalId } from './global-id';

/**
 * Implemented by every type a client cache should normalise. Each implementing class has a
 * `globalId` getter (its GraphQL `id`) built with toGlobalId from its own type name.
 */
@InterfaceType('Node', { description: 'An object with a global id that names its type; node(id:) fetches any of them' })
export abstract class Node {
  @Field(() => ID, { name: 'id', description: 'Global id, unique across types ("Plan:12"); pass it back as it is, never build or parse it' })
  globalId: string;
}
