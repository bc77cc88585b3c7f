/** Every { __typename, id } pair in a GraphQL response: id → type. */
export function typedObjects(value: unknown, into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((v) => typedObjects(v, into));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.id === 'string' && typeof record.__typename === 'string') into.set(record.id, record.__typename);
    Object.values(record).forEach((v) => typedObjects(v, into));
  }
  return into;
}
