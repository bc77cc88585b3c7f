import { CsvRecordReader, parseCsv } from '../../server/observations/observation-csv';

/** The streamed reader gives the records of the whole text however the text is cut into chunks. */
describe('CsvRecordReader', () => {
  const text = '\uFEFFindicator,unit,comment\r\nA,0001,"Nguyễn ""Văn"" A, xã\r\nLợi Bác"\r\n\r\nB,0002,ab"c\rC,"x""",\n"",""""\nD,3,"open';

  it('reads any cut of the text into two or three chunks as the whole text', () => {
    const whole = parseCsv(text);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 5, 6, 7, 8]);
    expect(whole[1].cells[2]).toBe('Nguyễn "Văn" A, xã\r\nLợi Bác');
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, Math.min(text.length, i + 1), Math.min(text.length, i + 2)]) {
        const reader = new CsvRecordReader();
        const records = [...reader.push(text.slice(0, i)), ...reader.push(text.slice(i, j)), ...reader.push(text.slice(j)), ...reader.end()];
        expect(records).toEqual(whole);
      }
    }
  });
});
