// SOPs of config/sop/: the regency default and the agencies' own versions (targets per stage,
// validity dates), with the escalation ladder each may carry (parsed by core/escalation/ladder).
import { join } from "node:path";
import type { z } from "zod";
import type { PartialSopVersion, SopCatalog, SopVersion, StageTargets } from "../core/types.js";
import {
  DEFAULT_LADDER,
  LadderError,
  parseEscalationLadder,
  type EscalationLadder,
} from "../core/escalation/ladder.js";
import type { ConfigIssue } from "./issues.js";
import { agencySopSchema, defaultSopSchema } from "./schema.js";
import { readYamlFile, type YamlFile } from "./yamlFile.js";
import {
  AGENCIES_FILE,
  AGENCY_SOP_DIR,
  DEFAULT_SOP_FILE,
  asArray,
  asRecord,
  err,
  listYaml,
  parseFile,
  warn,
  type Raw,
} from "./read.js";

export interface SopsResult {
  catalog?: SopCatalog;
  agencyCount: number;
  escalation: { defaultLadder: EscalationLadder; bySop: Record<string, EscalationLadder> };
}

/** The `escalation` section of an SOP file, or undefined (after pushing issues) if invalid. */
export function readLadder(
  file: YamlFile,
  issues: ConfigIssue[],
): EscalationLadder | null | undefined {
  const raw = asRecord(file.data).escalation;
  if (raw === undefined || raw === null) return null;
  try {
    return parseEscalationLadder(raw);
  } catch (e) {
    if (!(e instanceof LadderError)) throw e;
    for (const issue of e.issues) {
      issues.push(err(file, issue.path ? `escalation.${issue.path}` : "escalation", issue.message));
    }
    return undefined;
  }
}

type FullTargets = z.output<ReturnType<typeof defaultSopSchema>>["versions"][number]["targets"];
type PartialTargets = z.output<ReturnType<typeof agencySopSchema>>["versions"][number]["targets"];

function toStageTargets(t: FullTargets): StageTargets {
  return {
    verification: t.verification,
    first_response: t.first_response,
    resolution: {
      pengaduan: { ...t.resolution.pengaduan },
      aspirasi: t.resolution.aspirasi,
      permintaan_informasi: t.resolution.permintaan_informasi,
      permintaan_informasi_extension: t.resolution.permintaan_informasi_extension,
    },
  };
}

/** Deep copy without the keys whose value is undefined (and without objects left empty). */
function compact(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if ("unit" in value && "amount" in value) return { ...value };
  const out: Raw = {};
  for (const [k, v] of Object.entries(value)) {
    const c = compact(v);
    if (c === undefined) continue;
    if (typeof c === "object" && c !== null && Object.keys(c).length === 0) continue;
    out[k] = c;
  }
  return out;
}

function toPartialTargets(t: PartialTargets): PartialSopVersion["targets"] {
  return compact(t) as PartialSopVersion["targets"];
}

/** Effective dates must be valid, unique and ascending. */
function checkVersionDates(file: YamlFile, issues: ConfigIssue[]): void {
  let prev: string | undefined;
  const seen = new Map<string, number>();
  asArray(asRecord(file.data).versions).forEach((v, i) => {
    const date = asRecord(v).effective_from;
    if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    const first = seen.get(date);
    if (first !== undefined) {
      issues.push(
        err(file, ["versions", i, "effective_from"], {
          id: `effective_from ${date} sama dengan versions[${first}]: dua versi tidak boleh berlaku pada tanggal yang sama; gabungkan atau ubah tanggalnya`,
          en: `effective_from ${date} duplicates versions[${first}]: two versions cannot take effect on the same date; merge them or change the date`,
        }),
      );
    } else if (prev !== undefined && date < prev) {
      issues.push(
        err(file, ["versions", i, "effective_from"], {
          id: `effective_from ${date} lebih awal dari versi sebelumnya (${prev}), sehingga masa berlakunya tumpang tindih: urutkan versi dari yang terlama`,
          en: `effective_from ${date} is earlier than the previous version (${prev}), so their periods overlap: list versions oldest first`,
        }),
      );
    }
    seen.set(date, seen.get(date) ?? i);
    if (prev === undefined || date > prev) prev = date;
  });
}

export function readSops(
  configDir: string,
  codes: ReadonlySet<string>,
  haveDirectory: boolean,
  issues: ConfigIssue[],
  coordinator: string | undefined,
): SopsResult {
  const before = issues.length;
  const defaultFile = readYamlFile(configDir, DEFAULT_SOP_FILE, issues);
  const defaults = defaultFile ? parseFile(defaultSopSchema(), defaultFile, issues) : undefined;
  if (defaultFile) checkVersionDates(defaultFile, issues);
  const defaultVersions: SopVersion[] = (defaults?.versions ?? [])
    .map((v) => ({
      sopId: "default",
      effectiveFrom: v.effective_from,
      title: v.title ?? defaults?.title ?? "default",
      targets: toStageTargets(v.targets),
    }))
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  const firstDefault = defaultVersions[0]?.effectiveFrom;
  const defaultLadder = (defaultFile ? readLadder(defaultFile, issues) : null) ?? DEFAULT_LADDER;
  const bySop: Record<string, EscalationLadder> = { default: defaultLadder };

  const agencyVersions: Record<string, PartialSopVersion[]> = {};
  const files = listYaml(join(configDir, AGENCY_SOP_DIR)) ?? [];
  for (const name of files) {
    const rel = `${AGENCY_SOP_DIR}/${name}`;
    const file = readYamlFile(configDir, rel, issues);
    if (!file) continue;
    const parsed = parseFile(agencySopSchema(), file, issues);
    checkVersionDates(file, issues);
    const ladder = readLadder(file, issues);
    const stem = name.replace(/\.ya?ml$/i, "");
    const agency = asRecord(file.data).agency;
    if (typeof agency === "string") {
      if (haveDirectory && !codes.has(agency)) {
        issues.push(
          err(file, ["agency"], {
            id: `perangkat daerah ${JSON.stringify(agency)} tidak ada di ${AGENCIES_FILE}: perbaiki kodenya atau tambahkan perangkat daerahnya ke direktori`,
            en: `agency ${JSON.stringify(agency)} is not in ${AGENCIES_FILE}: fix the code or add the agency to the directory`,
          }),
        );
      }
      if (agency !== stem) {
        issues.push(
          err(file, ["agency"], {
            id: `agency: ${agency} tidak cocok dengan nama berkas ${name}: berkas SOP perangkat daerah harus bernama <kode>.yaml (${agency}.yaml)`,
            en: `agency: ${agency} does not match the file name ${name}: an agency SOP file must be named <code>.yaml (${agency}.yaml)`,
          }),
        );
      }
    }
    asArray(asRecord(file.data).versions).forEach((v, i) => {
      const date = asRecord(v).effective_from;
      if (typeof date === "string" && firstDefault !== undefined && date < firstDefault) {
        issues.push(
          err(file, ["versions", i, "effective_from"], {
            id: `effective_from ${date} mendahului versi pertama SOP bawaan (${firstDefault}), sehingga target yang tidak diisi tidak punya nilai: mulai pada/sesudah ${firstDefault} atau tambahkan versi bawaan yang lebih awal`,
            en: `effective_from ${date} precedes the first default SOP version (${firstDefault}), so targets it leaves out have no value: start on or after ${firstDefault} or add an earlier default version`,
          }),
        );
      }
      const targets = asRecord(asRecord(v).targets);
      if (
        typeof agency === "string" &&
        coordinator !== undefined &&
        agency !== coordinator &&
        targets.verification !== undefined
      ) {
        issues.push(
          warn(rel, `versions[${i}].targets.verification`, {
            id: `verifikasi dilakukan oleh admin koordinator (${coordinator}), jadi target ini tidak berpengaruh untuk ${agency}: hapus atau pindahkan ke SOP ${coordinator}`,
            en: `verification is done by the coordinator (${coordinator}), so this target has no effect for ${agency}: remove it or move it to the ${coordinator} SOP`,
          }),
        );
      }
    });
    if (parsed) {
      bySop[parsed.agency] = ladder ?? defaultLadder;
      agencyVersions[parsed.agency] = parsed.versions
        .map((v) => ({
          sopId: parsed.agency,
          effectiveFrom: v.effective_from,
          title: v.title ?? parsed.title,
          targets: toPartialTargets(v.targets),
        }))
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
    }
  }
  const ok = defaults !== undefined && !issues.slice(before).some((i) => i.severity === "error");
  return {
    agencyCount: files.length,
    escalation: { defaultLadder, bySop },
    ...(ok ? { catalog: { defaultVersions, agencyVersions } } : {}),
  };
}
