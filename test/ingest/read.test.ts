// Reading files: CSV parsing, encodings, delimiters, xlsx sheets and cells, and bad files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import {
  CsvParser,
  ImportError,
  readTable,
  sniffDelimiter,
  type Table,
} from "../../src/ingest/index.js";
import { cleanupTemp, collect, csv, rejectsWith, tempDir, xlsx } from "./helpers.js";

async function rowsOf(t: Table): Promise<Record<string, unknown>[]> {
  return (await collect(t)).map((r) => ({ n: r.rowNumber, ...r.cells }));
}

function parseAll(text: string, d: "," | ";" = ",", chunk = text.length) {
  const p = new CsvParser(d);
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...p.push(text.slice(i, i + chunk)));
  out.push(...p.end());
  return out;
}

describe("ingest: CSV parser", () => {
  it("parses RFC 4180 quoting with embedded delimiters, quotes and newlines", () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line one\r\nline two",z\n3,,\n';
    const recs = parseAll(text);
    expect(recs.map((r) => r.fields)).to.deep.equal([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "line one\r\nline two", "z"],
      ["3", "", ""],
    ]);
    expect(recs.map((r) => r.line)).to.deep.equal([1, 2, 3, 5]);
  });

  it("gives the same records whatever the chunking", () => {
    const text = 'a;b\r\n"1;\r\n2";"x""y"\r\n3;4';
    const whole = parseAll(text, ";").map((r) => r.fields);
    for (const size of [1, 2, 3, 5, 7])
      expect(parseAll(text, ";", size).map((r) => r.fields)).to.deep.equal(whole);
  });

  it("tolerates spaces after a closing quote", () => {
    expect(parseAll('"a" ,"b"  \n').map((r) => r.fields)).to.deep.equal([["a", "b"]]);
  });

  it("reports an unclosed quote with the line it was opened on", () => {
    const err = (() => {
      try {
        parseAll('a,b\n1,2\n3,"never closed\n4,5\n6,7\n');
      } catch (e) {
        return e as ImportError;
      }
      throw new Error("no error");
    })();
    expect(err).to.be.instanceOf(ImportError);
    expect(err.code).to.equal("broken_quote");
    expect(err.line).to.equal(3);
    expect(err.msg.id).to.include("baris 3");
    expect(err.msg.en).to.include("line 3");
  });

  it("reports text after a closing quote with its line", () => {
    try {
      parseAll('a,b\n1,2\n3,"x"y\n');
      expect.fail("no error");
    } catch (e) {
      expect((e as ImportError).code).to.equal("broken_quote");
      expect((e as ImportError).line).to.equal(3);
    }
  });

  it("stops a runaway quoted field at the size limit", () => {
    const p = new CsvParser(",", 1000);
    expect(() => p.push(`a\n"${"x".repeat(2000)}`)).to.throw(/probably a quote left open/);
  });

  it("sniffs comma, semicolon and tab from the first lines, ignoring quotes and title rows", () => {
    expect(sniffDelimiter("a,b,c\n1,2,3")).to.equal(",");
    expect(sniffDelimiter("a;b;c\n1;2;3")).to.equal(";");
    expect(sniffDelimiter('"a,b";c;d\n1;2;3')).to.equal(";");
    expect(sniffDelimiter("a\tb\tc\n1\t2\t3")).to.equal("\t");
    expect(sniffDelimiter("Rekap, Juli 2024\nID;Tgl;OPD\n1;2;3\n4;5, 6, 7, 8;9")).to.equal(";");
    expect(sniffDelimiter("single")).to.equal(",");
  });
});

describe("ingest: readTable (CSV)", () => {
  after(cleanupTemp);

  it("reads UTF-8 with a BOM, comma-separated, from a path", async () => {
    const path = join(tempDir(), "a.csv");
    writeFileSync(path, "\uFEFFNo. Tracking,Kategori\r\n1,Jalan Rusak\r\n2,Kesehatan\r\n");
    const t = await readTable(path);
    expect(t.format).to.equal("csv");
    expect(t.encoding).to.equal("utf-8");
    expect(t.delimiter).to.equal(",");
    expect(t.headers).to.deep.equal(["No. Tracking", "Kategori"]);
    expect(await rowsOf(t)).to.deep.equal([
      { n: 2, "No. Tracking": "1", Kategori: "Jalan Rusak" },
      { n: 3, "No. Tracking": "2", Kategori: "Kesehatan" },
    ]);
    expect(t.progress().bytesRead).to.equal(t.progress().totalBytes);
  });

  it("reads UTF-8 without a BOM, semicolon-separated", async () => {
    const t = await readTable(
      Buffer.from("ID;Kategori;Catatan\n1;Sekolah;Pengadaan, Rp 1.000,50\n"),
    );
    expect(t.delimiter).to.equal(";");
    expect(await rowsOf(t)).to.deep.equal([
      { n: 2, ID: "1", Kategori: "Sekolah", Catatan: "Pengadaan, Rp 1.000,50" },
    ]);
  });

  for (const from of ["path", "buffer"] as const)
    it(`detects Windows-1252 ("é", "–") from a ${from}`, async () => {
      const text = "ID;Kategori\n1;Café – Pasar\n2;Naïve\n";
      const bytes = iconv.encode(text, "win1252");
      expect(bytes.includes(0xe9)).to.equal(true);
      let input: string | Buffer = bytes;
      if (from === "path") {
        input = join(tempDir(), "cp.csv");
        writeFileSync(input, bytes);
      }
      const t = await readTable(input);
      expect(t.encoding).to.equal("windows-1252");
      expect((await rowsOf(t)).map((r) => r.Kategori)).to.deep.equal(["Café – Pasar", "Naïve"]);
    });

  it("detects Windows-1252 even when the only invalid byte is far into the file", async () => {
    const lines = ["ID,Kategori"];
    for (let i = 0; i < 20000; i++) lines.push(`${i},Jalan`);
    lines.push("20000,Caf\u00e9");
    const path = join(tempDir(), "late.csv");
    writeFileSync(path, iconv.encode(lines.join("\n"), "win1252"));
    const t = await readTable(path);
    expect(t.encoding).to.equal("windows-1252");
    const rows = await rowsOf(t);
    expect(rows.at(-1)?.Kategori).to.equal("Café");
  });

  it("reads UTF-16 with a BOM (Excel 'Unicode text')", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      iconv.encode("ID\tKategori\r\n1\tSekolah\r\n", "utf16le"),
    ]);
    const t = await readTable(bytes);
    expect(t.encoding).to.equal("utf-16le");
    expect(t.delimiter).to.equal("\t");
    expect(await rowsOf(t)).to.deep.equal([{ n: 2, ID: "1", Kategori: "Sekolah" }]);
  });

  it("keeps embedded newlines and numbers rows as records (header = 1)", async () => {
    const text = csv([
      ["ID", "Isi Laporan"],
      ["1", "baris satu\nbaris dua"],
      ["2", "x"],
    ]);
    expect(await rowsOf(await readTable(Buffer.from(text)))).to.deep.equal([
      { n: 2, ID: "1", "Isi Laporan": "baris satu\nbaris dua" },
      { n: 3, ID: "2", "Isi Laporan": "x" },
    ]);
  });

  it("skips blank lines, names blank headers and makes repeated headers unique", async () => {
    const t = await readTable(Buffer.from("\n\nID,,ID\n\n1,2,3\n,,\n"));
    expect(t.headers).to.deep.equal(["ID", "Kolom B", "ID (2)"]);
    // Row numbers are those a spreadsheet shows: blank lines count.
    expect(t.headerRowNumber).to.equal(3);
    expect(await rowsOf(t)).to.deep.equal([{ n: 5, ID: "1", "Kolom B": "2", "ID (2)": "3" }]);
  });

  it("finds the header below title rows when asked to", async () => {
    const text = "Rekap Laporan SP4N-LAPOR!\nPeriode Juli 2024\nID,Kategori\n1,Jalan\n";
    const t = await readTable(Buffer.from(text), { isHeader: (c) => c.includes("ID") });
    expect(t.headers).to.deep.equal(["ID", "Kategori"]);
    expect(t.headerRowNumber).to.equal(3);
    expect(await rowsOf(t)).to.deep.equal([{ n: 4, ID: "1", Kategori: "Jalan" }]);
  });

  it("reads a 1 MB cell", async () => {
    const big = "x".repeat(1024 * 1024);
    const t = await readTable(
      Buffer.from(
        csv([
          ["ID", "Isi Laporan"],
          ["1", `"${big}"`],
          ["2", "y"],
        ]),
      ),
    );
    const rows = await collect(t);
    expect((rows[0]?.cells["Isi Laporan"] as string).length).to.equal(big.length + 2);
    expect(rows[1]?.cells.ID).to.equal("2");
  });

  it("fails on a broken quote with the line number", async () => {
    const e = await rejectsWith(
      collect(await readTable(Buffer.from('ID,Kategori\n1,ok\n2,"rusak\n3,ok\n'))),
    );
    expect(e).to.be.instanceOf(ImportError);
    expect(e.code).to.equal("broken_quote");
    expect((e as unknown as ImportError).line).to.equal(3);
  });

  it("fails clearly on an empty file, a blank file and a header-only file", async () => {
    const empty = await rejectsWith(readTable(Buffer.alloc(0)));
    expect(empty.code).to.equal("empty_file");
    expect((empty as unknown as ImportError).msg.id).to.include("berkas kosong");
    const path = join(tempDir(), "empty.csv");
    writeFileSync(path, "");
    expect((await rejectsWith(readTable(path))).code).to.equal("empty_file");
    expect((await rejectsWith(readTable(Buffer.from("\uFEFF\r\n\r\n")))).code).to.equal(
      "empty_file",
    );
    const headersOnly = await rejectsWith(readTable(Buffer.from("ID,Tanggal Laporan\r\n")));
    expect(headersOnly.code).to.equal("headers_only");
    expect(headersOnly.message).to.include("only the header row");
    expect((headersOnly as unknown as ImportError).msg.id).to.include("hanya berisi judul kolom");
  });

  it("refuses an old .xls file with advice", async () => {
    const e = await rejectsWith(
      readTable(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
    );
    expect(e.message).to.include(".xls");
  });
});

describe("ingest: readTable (xlsx)", () => {
  after(cleanupTemp);

  it("reads strings, numbers, dates, booleans, rich text, hyperlinks and formula results", async () => {
    const bytes = await xlsx([
      {
        name: "Laporan",
        rows: [
          ["ID", "Tanggal", "Angka", "Anonim", "Kategori", "Link", "Rumus", "Rumus teks", "Galat"],
          [
            2007157,
            new Date(Date.UTC(2024, 6, 9, 14, 3)),
            12.5,
            true,
            { richText: [{ text: "Jalan " }, { font: { bold: true }, text: "Rusak" }] },
            { text: "lapor", hyperlink: "https://www.lapor.go.id" },
            { formula: "A2+1", result: 2007158 },
            { formula: '"a"&"b"', result: "ab" },
            { formula: "1/0", result: { error: "#DIV/0!" } },
          ],
        ],
      },
    ]);
    const t = await readTable(bytes);
    expect(t.format).to.equal("xlsx");
    expect(t.sheet).to.equal("Laporan");
    const [row] = await collect(t);
    expect(row?.rowNumber).to.equal(2);
    const c = row?.cells ?? {};
    expect(c.ID).to.equal(2007157);
    expect(c.Tanggal).to.be.instanceOf(Date);
    expect((c.Tanggal as Date).toISOString()).to.equal("2024-07-09T14:03:00.000Z");
    expect(c.Angka).to.equal(12.5);
    expect(c.Anonim).to.equal(true);
    expect(c.Kategori).to.equal("Jalan Rusak");
    expect(c.Link).to.equal("lapor");
    expect(c.Rumus).to.equal(2007158);
    expect(c["Rumus teks"]).to.equal("ab");
    // exceljs writes no cached error value: either way the cell is a problem, never a number.
    expect(c.Galat).to.have.property("problem");
  });

  it("marks a formula without a cached result, never evaluating it", async () => {
    const bytes = await xlsx([
      {
        name: "S",
        rows: [
          ["ID", "Tanggal"],
          [{ formula: "1+1" }, { formula: "TODAY()" }],
        ],
      },
    ]);
    const [row] = await collect(await readTable(bytes));
    expect(row?.cells.ID).to.deep.equal({ problem: "formula_without_result", detail: "1+1" });
    expect(row?.cells.Tanggal).to.deep.equal({
      problem: "formula_without_result",
      detail: "TODAY()",
    });
  });

  it("reads a date-formatted serial as a Date", async () => {
    const bytes = await xlsx([
      {
        name: "S",
        rows: [
          ["ID", "Tanggal"],
          [1, 45482 + (14 * 60 + 3) / 1440],
        ],
        numFmt: { B2: "dd/mm/yyyy hh:mm" },
      },
    ]);
    const [row] = await collect(await readTable(bytes));
    expect(row?.cells.Tanggal).to.be.instanceOf(Date);
  });

  it("reads the first visible sheet by default and another with --sheet", async () => {
    const bytes = await xlsx([
      { name: "Petunjuk", rows: [["hidden"], ["x"]], state: "hidden" },
      { name: "Laporan Juli", rows: [["ID"], ["1"]] },
      { name: "Manual", rows: [["ID"], ["2"], ["3"]] },
    ]);
    const path = join(tempDir(), "multi.xlsx");
    writeFileSync(path, bytes);
    const first = await readTable(path);
    expect(first.sheet).to.equal("Laporan Juli");
    expect((await collect(first)).map((r) => r.cells.ID)).to.deep.equal(["1"]);
    const manual = await readTable(path, { sheet: "manual" });
    expect(manual.sheet).to.equal("Manual");
    expect((await collect(manual)).map((r) => r.cells.ID)).to.deep.equal(["2", "3"]);
    const e = await rejectsWith(readTable(path, { sheet: "Agustus" }));
    expect(e.code).to.equal("unknown_sheet");
    expect(e.message).to.include('"Agustus"').and.include('"Petunjuk", "Laporan Juli", "Manual"');
    expect((e as unknown as ImportError).msg.id).to.include("lembar yang ada");
  });

  it("looks over the sheets of an exceljs-written file the same way every time (exceljs #3064)", async () => {
    // exceljs stores xl/workbook.xml last; its streaming reader then sometimes parsed a sheet
    // before the workbook part and failed ("reading 'sheets'"), about 1 read in 100, which was
    // reported as a corrupt file. 300 reads: before the retry, nearly always at least one failed.
    const bytes = await xlsx([
      { name: "Petunjuk", rows: [["hidden"], ["x"]], state: "hidden" },
      { name: "Laporan Juli", rows: [["ID"], ["1"]] },
      { name: "Manual", rows: [["ID"], ["2"], ["3"]] },
    ]);
    const path = join(tempDir(), "race.xlsx");
    writeFileSync(path, bytes);
    const codes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const e = await rejectsWith(readTable(path, { sheet: "Agustus" }));
      codes.set(String(e.code), (codes.get(String(e.code)) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).to.deep.equal({ unknown_sheet: 300 });
  });

  it("reads files whose shared strings come after the sheets (as Excel writes them)", async () => {
    const path = join(tempDir(), "excel-order.xlsx");
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
    for (const name of ["Satu", "Dua"]) {
      const ws = wb.addWorksheet(name);
      ws.addRow(["ID", "Kategori"]).commit();
      for (let i = 0; i < 100; i++) ws.addRow([`${name}-${i}`, "Jalan"]).commit();
      ws.commit();
    }
    await wb.commit();
    const t = await readTable(path, { sheet: "Dua" });
    const rows = await collect(t);
    expect(rows).to.have.length(100);
    expect(rows[0]?.cells).to.deep.equal({ ID: "Dua-0", Kategori: "Jalan" });
    expect((await collect(await readTable(path))).at(-1)?.cells.ID).to.equal("Satu-99");
  });

  it("reads a 1 MB cell", async () => {
    const big = "é".repeat(1024 * 1024);
    const bytes = await xlsx([
      {
        name: "S",
        rows: [
          ["ID", "Isi Laporan"],
          ["1", big],
        ],
      },
    ]);
    const [row] = await collect(await readTable(bytes));
    expect((row?.cells["Isi Laporan"] as string).length).to.equal(big.length);
  });

  it("fails clearly on a truncated or corrupt xlsx", async () => {
    const rows: unknown[][] = [["ID", "Kategori"]];
    for (let i = 0; i < 2000; i++) rows.push([i, `kategori ${i}`]);
    const bytes = await xlsx([{ name: "S", rows }]);
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    const t = await rejectsWith(readTable(truncated).then((tb) => collect(tb)));
    expect(t.code).to.equal("corrupt_xlsx");
    expect((t as unknown as ImportError).msg.id).to.include("rusak atau terpotong");
    const corrupt = Buffer.from(bytes);
    for (let i = 100; i < corrupt.length - 100; i += 7) corrupt[i] = (corrupt[i] ?? 0) ^ 0x5a;
    expect((await rejectsWith(readTable(corrupt).then((tb) => collect(tb)))).code).to.equal(
      "corrupt_xlsx",
    );
    const garbage = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(200, 7)]);
    expect((await rejectsWith(readTable(garbage))).code).to.equal("corrupt_xlsx");
  });

  it("fails clearly on an empty sheet and a header-only sheet", async () => {
    const empty = await xlsx([{ name: "S", rows: [] }]);
    expect((await rejectsWith(readTable(empty))).code).to.equal("empty_file");
    const headers = await xlsx([{ name: "S", rows: [["ID", "Tanggal Laporan"]] }]);
    expect((await rejectsWith(readTable(headers))).code).to.equal("headers_only");
  });

  it("streams a 20,000-row xlsx", async () => {
    const rows: unknown[][] = [["ID", "Tanggal"]];
    for (let i = 0; i < 20000; i++) rows.push([i, "09/07/2024"]);
    const t = await readTable(await xlsx([{ name: "S", rows }]));
    let n = 0;
    for await (const r of t) n += r.rowNumber > 1 ? 1 : 0;
    expect(n).to.equal(20000);
  });
});
