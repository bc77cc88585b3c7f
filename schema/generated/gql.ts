/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Me {\n  me {\n    subject\n    role\n    unit {\n      code\n      fullName\n      level\n    }\n  }\n}\n\nquery UnitWithHistory($code: String!, $asOf: Date) {\n  unit(code: $code, asOf: $asOf) {\n    code\n    fullName\n    level\n    validFrom\n    validTo\n    parent {\n      code\n      fullName\n    }\n    children {\n      code\n      name\n      level\n    }\n    predecessors {\n      code\n      fullName\n      validTo\n    }\n    successors {\n      code\n      fullName\n    }\n  }\n}\n\nquery SearchUnits($search: String!, $level: UnitLevel, $first: Int, $after: String) {\n  units(search: $search, level: $level, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        code\n        fullName\n        level\n        parent {\n          fullName\n        }\n      }\n    }\n  }\n}": typeof types.MeDocument,
};
const documents: Documents = {
    "query Me {\n  me {\n    subject\n    role\n    unit {\n      code\n      fullName\n      level\n    }\n  }\n}\n\nquery UnitWithHistory($code: String!, $asOf: Date) {\n  unit(code: $code, asOf: $asOf) {\n    code\n    fullName\n    level\n    validFrom\n    validTo\n    parent {\n      code\n      fullName\n    }\n    children {\n      code\n      name\n      level\n    }\n    predecessors {\n      code\n      fullName\n      validTo\n    }\n    successors {\n      code\n      fullName\n    }\n  }\n}\n\nquery SearchUnits($search: String!, $level: UnitLevel, $first: Int, $after: String) {\n  units(search: $search, level: $level, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        code\n        fullName\n        level\n        parent {\n          fullName\n        }\n      }\n    }\n  }\n}": types.MeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    subject\n    role\n    unit {\n      code\n      fullName\n      level\n    }\n  }\n}\n\nquery UnitWithHistory($code: String!, $asOf: Date) {\n  unit(code: $code, asOf: $asOf) {\n    code\n    fullName\n    level\n    validFrom\n    validTo\n    parent {\n      code\n      fullName\n    }\n    children {\n      code\n      name\n      level\n    }\n    predecessors {\n      code\n      fullName\n      validTo\n    }\n    successors {\n      code\n      fullName\n    }\n  }\n}\n\nquery SearchUnits($search: String!, $level: UnitLevel, $first: Int, $after: String) {\n  units(search: $search, level: $level, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        code\n        fullName\n        level\n        parent {\n          fullName\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query Me {\n  me {\n    subject\n    role\n    unit {\n      code\n      fullName\n      level\n    }\n  }\n}\n\nquery UnitWithHistory($code: String!, $asOf: Date) {\n  unit(code: $code, asOf: $asOf) {\n    code\n    fullName\n    level\n    validFrom\n    validTo\n    parent {\n      code\n      fullName\n    }\n    children {\n      code\n      name\n      level\n    }\n    predecessors {\n      code\n      fullName\n      validTo\n    }\n    successors {\n      code\n      fullName\n    }\n  }\n}\n\nquery SearchUnits($search: String!, $level: UnitLevel, $first: Int, $after: String) {\n  units(search: $search, level: $level, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        code\n        fullName\n        level\n        parent {\n          fullName\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;