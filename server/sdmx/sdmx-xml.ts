/** Text and attribute values of SDMX-ML, escaped. */
export function xmlEscape(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/** ` a="1" b="x"` for the defined values, in order. */
export function attrs(values: Record<string, string | number | null | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${xmlEscape(v as string | number)}"`)
    .join('');
}

export const NS = {
  message: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message',
  common: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common',
  structure: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure',
  generic: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic',
  structureSpecific: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A message id unique enough for a client's logs; `prepared` is the moment the answer started. */
export function headerParts(requestId: string, prepared: Date): string {
  const id = `IREF${requestId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'X'}`;
  return `<message:ID>${xmlEscape(id)}</message:ID><message:Test>false</message:Test><message:Prepared>${prepared.toISOString().replace(/\.\d+Z$/, 'Z')}</message:Prepared><message:Sender id="BDG"/>`;
}

/** `<com:Name xml:lang="vi">…</com:Name><com:Name xml:lang="en">…</com:Name>` (English first when given). */
export function names(tag: string, en: string | null | undefined, vi: string | null | undefined): string {
  const parts: string[] = [];
  if (en) parts.push(`<${tag} xml:lang="en">${xmlEscape(en.normalize('NFC'))}</${tag}>`);
  if (vi) parts.push(`<${tag} xml:lang="vi">${xmlEscape(vi.normalize('NFC'))}</${tag}>`);
  return parts.join('');
}
