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
