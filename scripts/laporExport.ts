// The column layout of a LAPOR! admin export as Kominfo downloads it (Indonesian headers, with
// the reporter and complaint-text columns that Pantau reads only for the completeness check).
// Shared by the sample generator and the import benchmark.
export const LAPOR_EXPORT_HEADERS: readonly string[] = [
  "No.",
  "ID Tracking",
  "Judul",
  "Isi Laporan",
  "Nama Pelapor",
  "No. HP",
  "Email",
  "Tanggal Laporan",
  "Kategori",
  "Klasifikasi",
  "Kompleksitas",
  "Sumber",
  "Anonim",
  "Rahasia",
  "Instansi Tujuan",
  "Tanggal Disposisi",
  "Tanggal Tanggapan",
  "Tanggal Tindak Lanjut",
  "Tanggal Selesai",
  "Status",
];
