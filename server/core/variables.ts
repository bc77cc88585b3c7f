import { coerceInputValue, GraphQLSchema, isInputType, isNonNullType, OperationDefinitionNode, typeFromAST } from 'graphql';
import { inspect } from 'graphql/jsutils/inspect';
import { BadUserInputError } from './errors';
import { loneSurrogatePath } from './text';

/** A variable refused before execution is a request error: HTTP 400, as GraphQL over HTTP says. */
const REQUEST_ERROR = 400;

function pathText(variable: string, path: readonly (string | number)[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${key}`), variable);
}

/**
 * Coerces every variable as execution would, but refuses the first bad one with BAD_USER_INPUT,
 * HTTP 400 and `extensions.field` naming where it is (`input[0].numerator`), before any cost walk
 * or resolver sees it; also refuses text that is not well-formed UTF-16 (a lone surrogate would
 * be stored as U+FFFD without a word).
 */
export function checkVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): void {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) continue; // validation has already refused the document
    if (!Object.prototype.hasOwnProperty.call(variables, name)) {
      if (isNonNullType(type) && !definition.defaultValue) throw new BadUserInputError(`Variable "$${name}" of required type "${type}" was not provided.`, name, {}, REQUEST_ERROR);
      continue;
    }
    const value = variables[name];
    coerceInputValue(value, type, (path, invalid, error) => {
      const at = path.length ? ` at "${pathText(name, path)}"` : '';
      throw new BadUserInputError(`Variable "$${name}" got invalid value ${inspect(invalid)}${at}; ${error.message}`, pathText(name, path), {}, REQUEST_ERROR);
    });
    const malformed = loneSurrogatePath(value, name);
    if (malformed) throw new BadUserInputError(`Variable "$${name}" at "${malformed}": the text is not well-formed Unicode (a lone UTF-16 surrogate); send it as valid UTF-8 or paired \\u escapes`, malformed, {}, REQUEST_ERROR);
  }
}
