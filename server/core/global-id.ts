/**
 * Global ids name their type: "Plan:12", "AdministrativeUnit:733". Readable rather than base64:
 * base64 hides nothing (anyone can decode it) and costs every log line, bug report and GraphiQL
 * session a decoding step, while the contract that makes an id opaque is the documentation
 * ("pass it back, never parse it"), not its encoding. What matters for typed caches and safety is
 * that the type is part of the id, so an id of one type can never be taken for another.
 */
const GLOBAL_ID = /^([A-Z][A-Za-z]{0,63}):(\d{1,15})$/;
const ROW_ID = /^\d{1,15}$/;

export function toGlobalId(type: string, rowId: number): string {
  return `${type}:${rowId}`;
}

export function parseGlobalId(id: string): { type: string; rowId: number } | null {
  const match = GLOBAL_ID.exec(id.trim());
  const rowId = match ? Number(match[2]) : 0;
  return match && rowId > 0 ? { type: match[1], rowId } : null;
}

/**
 * The row id an ID argument names when it must name a `type`: its global id, or one of the forms
 * the API took before global ids (the bare row number, or a legacy prefix such as "obs:"). An id
 * of any other type names nothing here, exactly like an id that does not exist.
 */
export function rowIdOf(id: string | number, type: string, legacyPrefix?: string): number | null {
  const text = String(id).trim();
  const global = parseGlobalId(text);
  if (global) return global.type === type ? global.rowId : null;
  const bare = legacyPrefix && text.startsWith(legacyPrefix) ? text.slice(legacyPrefix.length) : text;
  const rowId = ROW_ID.test(bare) ? Number(bare) : 0;
  return rowId > 0 ? rowId : null;
}
