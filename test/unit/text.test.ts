import { cleanText, cleanTexts } from '../../server/core/text';

describe('text as stored', () => {
  it('composes accents (NFC) and drops zero-width and control characters', () => {
    const pasted = '\uFEFFLo\u031B\u0323i Ba\u0301c\u200B\u200D xã\u0000\u0007\u00AD';
    expect(cleanText(pasted)).toBe('Lợi Bác xã');
    expect(cleanText(pasted)).toBe(cleanText(pasted).normalize('NFC'));
  });

  it('keeps line breaks (a signer capacity spans lines), as LF, and turns a tab into a space', () => {
    expect(cleanText('KT. CHỦ TỊCH\r\nPHÓ CHỦ TỊCH\r')).toBe('KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n');
    expect(cleanText('a\tb')).toBe('a b');
  });

  it('cleans every string inside arguments in place, keeping numbers, nulls and objects', () => {
    class Input {
      title = 'Ke\u0302\u0301 hoa\u0323ch';
      lines = ['a\u200B', 'b'];
      nested = { issuer: 'UBND\u0000 tỉnh' };
      year = 2026;
      signer: string | null = null;
    }
    const input = new Input();
    expect(cleanTexts(input)).toBe(input);
    expect(input).toBeInstanceOf(Input);
    expect({ ...input }).toEqual({ title: 'Kế hoạch', lines: ['a', 'b'], nested: { issuer: 'UBND tỉnh' }, year: 2026, signer: null });
  });
});
