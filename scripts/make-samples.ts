// Writes the sample LAPOR! export shipped for the README: samples/laporan-contoh.xlsx and .csv.
// Synthetic data (no real people): 30 reports, a few of which the importer rejects on purpose.
// Run: npx tsx scripts/make-samples.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { LAPOR_EXPORT_HEADERS } from "./laporExport.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "samples");

/** A local wall time (WIB), as exceljs expects a date cell: UTC fields = wall time. */
type Wall = [number, number, number, number, number];
type When = Wall | string | null;

interface Sample {
  id: string;
  judul: string;
  received: When;
  kategori: string;
  klasifikasi: string;
  kompleksitas: string;
  sumber: string;
  anonim: string;
  rahasia: string;
  hp: string;
  email: string;
  opd: string;
  disposisi: When;
  tanggapan: When;
  tindakLanjut: When;
  selesai: When;
  status: string;
}

const TOPICS: [string, string, string][] = [
  ["Jalan berlubang di jalan desa", "Infrastruktur", "DPUBM"],
  ["Antrean panjang di puskesmas", "Kesehatan", "Dinkes"],
  ["Pungutan sekolah tidak jelas", "Pendidikan", "Disdik"],
  ["Lampu penerangan jalan mati", "Infrastruktur", "Dishub"],
  ["Pelayanan KTP elektronik lambat", "Administrasi Kependudukan", "Dukcapil"],
  ["Sampah menumpuk di pasar", "Lingkungan Hidup", "DLH"],
  ["Saluran irigasi tersumbat", "Pertanian", "DPUSDA"],
  ["Surat pengantar di kantor kecamatan", "Pelayanan Publik", "Kec. Kepanjen"],
  ["Obat kosong di RSUD", "Kesehatan", "RSUD Kanjuruhan"],
  ["Pedagang kaki lima di trotoar", "Ketertiban Umum", "Satpol PP"],
];
const CHANNELS = ["LAPOR! web", "Mobile App", "SMS 1708", "WA", "Instagram", "Call Center 112"];
const TYPES = ["Pengaduan", "Pengaduan", "Aspirasi", "Permintaan Informasi"];
const COMPLEXITY = ["Ringan", "Normatif", "Tidak Berkadar Pengawasan", ""];

function day(n: number): [number, number, number] {
  // Working days from Monday 7 July 2025 (no holidays in that span).
  const d = new Date(Date.UTC(2025, 6, 7));
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

function at(n: number, hour: number, minute: number): Wall {
  return [...day(n), hour, minute];
}

function samples(): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < 30; i++) {
    const [judul, kategori, opd] = TOPICS[i % TOPICS.length] as [string, string, string];
    const sumber = CHANNELS[i % CHANNELS.length] as string;
    const manual = sumber === "WA" || sumber === "Instagram" || sumber === "Call Center 112";
    const stage = i % 5; // 0 new, 1 disposed, 2 responded, 3 followed up, 4 completed
    const start = Math.floor(i / 2);
    const type = TYPES[i % TYPES.length] as string;
    out.push({
      id: String(5_200_101 + i * 7),
      judul,
      received: at(start, 8 + (i % 7), (i * 13) % 60),
      kategori,
      klasifikasi: type,
      kompleksitas: type === "Pengaduan" ? (COMPLEXITY[i % COMPLEXITY.length] as string) : "",
      sumber,
      anonim: i % 6 === 1 ? "Ya" : "Tidak",
      rahasia: i % 9 === 4 ? "Ya" : "Tidak",
      hp: manual || i % 2 === 0 ? `0812-0000-${String(1000 + i).slice(-4)}` : "",
      email: i % 4 === 3 ? `warga${String(i).padStart(2, "0")}@example.com` : "",
      opd: stage >= 1 ? opd : "",
      disposisi: stage >= 1 ? at(start + 1, 10, 15) : null,
      tanggapan: stage >= 2 ? at(start + 3, 13, 40) : null,
      tindakLanjut: stage >= 3 ? at(start + 6, 9, 5) : null,
      selesai: stage >= 4 ? at(start + 12, 15, 30) : null,
      status: ["Belum Terverifikasi", "Belum Ditindaklanjuti", "Diproses", "Diproses", "Selesai"][
        stage
      ] as string,
    });
  }
  // Rows the importer rejects, each for a different reason.
  const s = (i: number) => out[i] as Sample;
  s(3).received = "31/02/2025 09:00"; // impossible date
  s(6).opd = "Dinas Kesehatn"; // unknown agency (typo): suggestions listed
  s(9).hp = ""; // WhatsApp report without phone or email: data pelapor belum lengkap
  s(9).email = "";
  s(9).sumber = "WA";
  s(12).id = s(2).id; // the same tracking ID with other values: both rows rejected, never guessed
  s(15).received = "03/04/25 10:00"; // two-digit year: ambiguous
  s(18).sumber = "WA"; // WhatsApp report with a malformed phone: data pelapor tidak valid
  s(18).hp = "0812-ABC-99";
  s(18).email = "";
  s(21).id = "5.20025E+06"; // tracking ID mangled into scientific notation
  s(24).disposisi = at(0, 7, 0); // disposition before the report was received
  s(24).received = at(3, 9, 0);
  // A value that changes no deadline and is not recognised: imported, with a warning.
  s(27).sumber = "Merpati Pos";
  return out;
}

const HEADERS = LAPOR_EXPORT_HEADERS;

const BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]; // prettier-ignore
const pad = (n: number) => String(n).padStart(2, "0");

/** CSV text of a date, in the formats real exports mix. */
function csvDate(w: When, style: number): string {
  if (w === null) return "";
  if (typeof w === "string") return w;
  const [y, mo, d, h, mi] = w;
  if (style % 3 === 1) return `${d} ${BULAN[mo - 1]} ${y} ${pad(h)}.${pad(mi)}`;
  if (style % 3 === 2) return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}`;
  return `${pad(d)}/${pad(mo)}/${y} ${pad(h)}:${pad(mi)}`;
}

function xlsxDate(w: When): Date | string | null {
  if (w === null || typeof w === "string") return w;
  const [y, mo, d, h, mi] = w;
  return new Date(Date.UTC(y, mo - 1, d, h, mi));
}

function row(s: Sample, n: number, date: (w: When) => unknown): unknown[] {
  const anon = s.anonim === "Ya";
  return [
    n,
    s.id,
    s.judul,
    `Contoh isi laporan ${n} (data sintetis): ${s.judul.toLowerCase()}.`,
    anon ? "(anonim)" : `Pelapor Contoh ${n}`,
    s.hp,
    s.email,
    date(s.received),
    s.kategori,
    s.klasifikasi,
    s.kompleksitas,
    s.sumber,
    s.anonim,
    s.rahasia,
    s.opd,
    date(s.disposisi),
    date(s.tanggapan),
    date(s.tindakLanjut),
    date(s.selesai),
    s.status,
  ];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const list = samples();

  const wb = new ExcelJS.Workbook();
  wb.creator = "Pantau";
  wb.created = new Date(Date.UTC(2025, 7, 1));
  wb.modified = wb.created;
  const ws = wb.addWorksheet("Laporan");
  ws.addRow(["Rekap Laporan SP4N-LAPOR! Kabupaten Malang (contoh, data sintetis)"]).font = {
    bold: true,
  };
  ws.addRow([]);
  const head = ws.addRow(HEADERS);
  head.font = { bold: true };
  list.forEach((s, i) => {
    const r = ws.addRow(row(s, i + 1, xlsxDate));
    for (const c of [8, 16, 17, 18, 19]) r.getCell(c).numFmt = "dd/mm/yyyy hh:mm";
  });
  HEADERS.forEach((h, i) => (ws.getColumn(i + 1).width = Math.max(10, h.length + 4)));
  const notes = wb.addWorksheet("Petunjuk");
  notes.addRow(["Contoh berkas impor Pantau. Lihat docs/import.md."]);
  notes.addRow(["Lembar 'Laporan' dibaca secara bawaan; pilih lembar lain dengan --sheet."]);
  writeFileSync(join(OUT, "laporan-contoh.xlsx"), Buffer.from(await wb.xlsx.writeBuffer()));

  const field = (v: unknown) => {
    const t = String(v ?? "");
    return /[;"\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const lines = [HEADERS, ...list.map((s, i) => row(s, i + 1, (w) => csvDate(w, i)))];
  const text = lines.map((l) => l.map(field).join(";")).join("\r\n") + "\r\n";
  writeFileSync(join(OUT, "laporan-contoh.csv"), `\uFEFF${text}`);
  console.log(
    `wrote ${list.length} rows to samples/laporan-contoh.xlsx and samples/laporan-contoh.csv`,
  );
}

await main();
