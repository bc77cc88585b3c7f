/**
 * Folds Vietnamese text for accent- and case-insensitive comparison: "Lợi Bác" → "loi bac".
 * NFD separates the tone and vowel marks so both placements of a tone ("Hoá"/"Hóa") fold alike;
 * đ has no decomposition and is mapped by hand.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** How much of a client's input an error message repeats. */
export const ECHO_LIMIT = 100;

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max; // never split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/**
 * Caps what an error message echoes of the client's input (a quoted value, or any unbroken run of
 * characters) at ECHO_LIMIT characters, so a 100 KB code is not sent back whole.
 */
export function capEchoedInput(message: string, max = ECHO_LIMIT): string {
  if (message.length <= max) return message;
  return message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, inner: string) => (inner.length > max ? `"${cut(inner, max)}"` : quoted)).replace(new RegExp(`[^\\s"]{${max + 1},}`, 'g'), (run) => cut(run, max));
}

/** Where a string in a JSON value is not well-formed UTF-16 (a lone surrogate), as a path; null when all are well formed. */
export function loneSurrogatePath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return /\p{Surrogate}/u.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = loneSurrogatePath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = loneSurrogatePath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** Zero-width and invisible formatting characters (ZWSP, ZWNJ, ZWJ, bidi marks, word joiner, BOM, soft hyphen). */
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** C0 and C1 control characters except the line feed, which multi-line texts (a signer's capacity) keep. */
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;

/**
 * Text as stored: Unicode NFC (a title typed with decomposed accents compares equal to the seeds),
 * without control or zero-width characters; CR LF and lone CR become LF, a tab a space.
 */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL, '').replace(INVISIBLE, '').normalize('NFC');
}

/** Every string inside a JSON-like value cleaned by {@link cleanText}; other values as they are. */
export function cleanTexts<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((item) => cleanTexts(item)) as T;
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) (value as Record<string, unknown>)[key] = cleanTexts((value as Record<string, unknown>)[key]);
  }
  return value;
}
