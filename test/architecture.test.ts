// Keeps the layering of README "Architecture": reads the import graph of src/ (every import and
// re-export, type-only ones included; see test/architectureGraph.ts) and fails on an import
// cycle between modules or folders, on a core that is not pure (imports outside core/ and i18n/,
// I/O packages, clock reads), on a lower layer importing a higher one, and on the module rules
// the README states (cli through its runtime, prom-client only in metrics/, ...). The checker
// itself is tested on small fixture graphs, so that each rule is known to be able to fail.
import { expect } from "chai";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  coreViolations,
  folderCycles,
  layerViolations,
  matches,
  moduleCycles,
  moduleRuleViolations,
  parseModule,
  readImportGraph,
  resolver,
  subfolderAt,
  topFolder,
  type CoreRules,
  type ImportGraph,
  type ImportRef,
  type Layers,
  type ModulePath,
  type ModuleRule,
} from "./architectureGraph.js";
import {
  lengthViolations,
  measureFunctions,
  measureTree,
  type LengthRules,
} from "./architectureFunctions.js";

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src");

/** The pure core: README "core imports nothing of Pantau's but i18n". */
const CORE: CoreRules = {
  core: "core",
  allowedFolders: ["i18n"],
  // luxon: zones and local dates (pure); node:crypto: createHash only (listing.ts, safety.ts).
  allowedPackages: ["luxon", "node:crypto"],
};

/**
 * The layers of README "Architecture", bottom up. A folder imports its own modules and lower
 * layers only; the folders of one layer do not import each other.
 */
const LAYERS: Layers = [
  ["i18n"],
  ["core"],
  ["paths", "log"],
  ["config", "db", "http"],
  // The context (configuration, database, logger, calendars, the PantauMetrics interface) sits
  // below every service; the stores, ingest and the Grafana dashboards (no import) beside it.
  ["context", "store", "ingest", "dashboards"],
  // Services that read and write through the context and stores; the outbox above the officer
  // directory, whose people it delivers to.
  ["officers", "metrics", "backup", "reports"],
  ["outbox"],
  ["scan"],
  ["app"],
  ["api"],
  ["web"],
  ["daemon"],
  ["cli"],
];

const importsModule =
  (...targets: string[]) =>
  (_from: ModulePath, ref: ImportRef): boolean =>
    ref.target !== null && targets.some((t) => matches(ref.target!, t));
const importsPackage =
  (...names: string[]) =>
  (_from: ModulePath, ref: ImportRef): boolean =>
    ref.target === null &&
    names.some((n) => ref.specifier === n || ref.specifier.startsWith(`${n}/`));

/** Rules on single modules that the layers alone do not say. */
const MODULE_RULES: readonly ModuleRule[] = [
  {
    name: "commands open the application only through the CLI runtime (cli/runtime.ts → withApp)",
    applies: importsModule("app/bootstrap.ts"),
    allowed: ["cli/runtime.ts"],
  },
  {
    name: "only cli/main.ts registers the commands; commands never import each other or main.ts",
    applies: importsModule("cli/commands/", "cli/main.ts"),
    allowed: ["cli/main.ts"],
  },
  {
    name: "prom-client only in metrics/: services report through PantauMetrics (context/metrics.ts)",
    applies: importsPackage("prom-client"),
    allowed: ["metrics/"],
  },
  {
    name: "winston only in log.ts: everything else logs through the Logger of the context",
    applies: importsPackage("winston"),
    allowed: ["log.ts"],
  },
  {
    name: "nodemailer only in the outbox's transports",
    applies: importsPackage("nodemailer"),
    allowed: ["outbox/transports.ts"],
  },
  {
    name: "commander only in cli/",
    applies: importsPackage("commander"),
    allowed: ["cli/"],
  },
  {
    name: "preact only in web/ (the pages)",
    applies: importsPackage("preact", "preact-render-to-string"),
    allowed: ["web/"],
  },
  {
    name: "database drivers only in db/, store/ and backup/ (the rest goes through knex)",
    applies: importsPackage("pg", "knex-pglite", "@electric-sql/pglite"),
    allowed: ["db/", "store/", "backup/"],
  },
];

/**
 * The longest-function guard: 150 lines everywhere, 80 in the modules split into named steps by
 * issue 12. Each function allowed to be longer is listed with its length as a ceiling (it may
 * shrink, not grow) and why it is still long; an entry whose function is gone or short again
 * fails too, so that the list stays short and true.
 */
const LENGTHS: LengthRules = {
  maxLines: 150,
  strict: {
    maxLines: 80,
    modules: [
      "core/sla/",
      "core/escalation/appointments.ts",
      "core/escalation/officerRows.ts",
      "core/escalation/emailAddress.ts",
      "metrics/registry.ts",
      "api/routes.ts",
      "web/routes.tsx",
      "web/kit.tsx",
      "web/pageRoutes.tsx",
      "web/signInRoutes.tsx",
    ],
  },
  allowed: [
    {
      file: "web/pages/summary.tsx",
      name: "SummaryPage",
      upTo: 308,
      reason: "one server-rendered page of markup; to split into section components",
    },
    {
      file: "web/pages/agency.tsx",
      name: "AgencyPage",
      upTo: 217,
      reason: "one server-rendered page of markup; to split into section components",
    },
    {
      file: "dashboards/kepatuhan.ts",
      name: "kepatuhanDashboard",
      upTo: 307,
      reason: "a declarative list of Grafana panels, one builder chain each",
    },
    {
      file: "dashboards/eskalasi.ts",
      name: "eskalasiDashboard",
      upTo: 237,
      reason: "a declarative list of Grafana panels, one builder chain each",
    },
    {
      file: "dashboards/detailOpd.ts",
      name: "detailOpdDashboard",
      upTo: 225,
      reason: "a declarative list of Grafana panels, one builder chain each",
    },
    {
      file: "config/load.ts",
      name: "readConfig",
      upTo: 260,
      reason: "reads every section of config/; to split per section with config/load.ts",
    },
    {
      file: "app/doctor.ts",
      name: "databaseChecks",
      upTo: 204,
      reason: "a sequence of independent checks; to split one function per check",
    },
    {
      file: "daemon/daemon.ts",
      name: "startDaemon",
      upTo: 170,
      reason: "the schedule, health endpoints and shutdown in one closure; to split by part",
    },
    {
      file: "core/escalation/ladderConfig.ts",
      name: "parseEscalationLadder",
      upTo: 169,
      reason: "ladder parsing, one check per field inline; to split with the escalation work",
    },
    {
      file: "cli/commands/tokens.ts",
      name: "registerTokenCommands",
      upTo: 155,
      reason: "four commander subcommands with their actions inline",
    },
  ],
};

describe("architecture: the layering of src/", () => {
  let graph: ImportGraph;
  before(() => {
    graph = readImportGraph(SRC);
  });

  it("reads every module and resolves every relative import", () => {
    expect(graph.size).to.be.greaterThan(100);
    const broken = [...graph.values()].flatMap((m) =>
      m.imports
        .filter((i) => i.specifier.startsWith(".") && i.target === null)
        .map((i) => `${m.path}:${i.line} ${i.specifier}`),
    );
    expect(broken).to.deep.equal([]);
    // Sanity: the reader sees the imports it must see.
    const clocks = graph.get("core/sla/clocks.ts");
    expect(clocks?.imports.map((i) => i.target)).to.include("core/sla/sop.ts");
  });

  it("has no import cycle between modules", () => {
    expect(moduleCycles(graph)).to.deep.equal([]);
  });

  it("has no cycle between the folders of src/, nor between subfolders of a folder", () => {
    expect(folderCycles(graph, topFolder)).to.deep.equal([]);
    for (const depth of [2, 3]) expect(folderCycles(graph, subfolderAt(depth))).to.deep.equal([]);
  });

  it("keeps the core pure: imports only core/ and i18n/, no I/O package, no clock read", () => {
    expect(coreViolations(graph, CORE)).to.deep.equal([]);
  });

  it("imports only downwards through the layers of README Architecture", () => {
    expect(layerViolations(graph, LAYERS)).to.deep.equal([]);
  });

  it("keeps the module rules (cli runtime, prom-client, winston, nodemailer, drivers)", () => {
    expect(moduleRuleViolations(graph, MODULE_RULES)).to.deep.equal([]);
  });
});

describe("architecture: function lengths in src/", () => {
  it("has no function longer than its limit but the listed ones, none grown", () => {
    expect(lengthViolations(measureTree(SRC), LENGTHS)).to.deep.equal([]);
  });

  it("measures functions and names them (methods, arrows, anonymous callbacks)", () => {
    const body = (n: number): string => Array.from({ length: n }, () => "  x();").join("\n");
    const text = [
      "export function outer() {", // line 1
      body(3),
      "  list.forEach(() => {", // line 5
      body(2),
      "  });",
      "}",
      "class Replay {",
      "  apply(): void {", // line 11
      body(1),
      "  }",
      "}",
      "const short = (a: number) => a;",
    ].join("\n");
    const found = measureFunctions("m.ts", text).map((f) => [f.name, f.line, f.lines]);
    expect(found).to.deep.equal([
      ["outer", 1, 9],
      ["<anonymous in outer>", 5, 4],
      ["Replay.apply", 11, 3],
      ["short", 15, 1],
    ]);
  });

  it("fails on a long function, a strict module, a grown allowance and a stale one", () => {
    const rules: LengthRules = {
      maxLines: 10,
      strict: { maxLines: 5, modules: ["core/"] },
      allowed: [
        { file: "a.ts", name: "allowed", upTo: 20, reason: "test" },
        { file: "a.ts", name: "grown", upTo: 12, reason: "test" },
        { file: "a.ts", name: "gone", upTo: 30, reason: "test" },
      ],
    };
    const found = lengthViolations(
      [
        { file: "a.ts", name: "fine", line: 1, lines: 10 },
        { file: "a.ts", name: "long", line: 1, lines: 11 },
        { file: "core/b.ts", name: "strict", line: 1, lines: 6 },
        { file: "a.ts", name: "allowed", line: 1, lines: 20 },
        { file: "a.ts", name: "grown", line: 1, lines: 13 },
      ],
      rules,
    );
    expect(found).to.have.length(4);
    expect(found[0]).to.contain("a.ts:1 long has 11 lines (limit 10)");
    expect(found[1]).to.contain("core/b.ts:1 strict has 6 lines (limit 5)");
    expect(found[2]).to.contain("grown has 13 lines, more than its allowance of 12");
    expect(found[3]).to.contain("a.ts gone is allowed but not over the limit");
  });
});

// ---- the checker on fixture graphs ----------------------------------------------------------------

/** A graph from "from -> to" lines ("pkg:name" for a package, "type:" for a type-only import). */
function fixture(modules: Record<ModulePath, string[]>): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const [p, targets] of Object.entries(modules)) {
    graph.set(p, {
      path: p,
      clockReads: [],
      imports: targets.map((t, n) => {
        const typeOnly = t.startsWith("type:");
        const name = typeOnly ? t.slice(5) : t;
        return name.startsWith("pkg:")
          ? { specifier: name.slice(4), target: null, typeOnly, line: n + 1 }
          : { specifier: `./${name}`, target: name, typeOnly, line: n + 1 };
      }),
    });
  }
  return graph;
}

describe("architecture checker (fixture graphs)", () => {
  it("parses imports, re-exports, dynamic imports and type-only imports", () => {
    const known = new Set(["a/x.ts", "a/y.tsx", "b/index.ts", "c/z.ts", "d/t.ts", "e/w.ts"]);
    const info = parseModule(
      "a/m.ts",
      [
        'import { x } from "./x.js";',
        'import type { Y } from "./y.js";',
        'import { type Z, type W } from "../c/z.js";',
        'export * from "../b/index.js";',
        'export type { T } from "../d/t.js";',
        'const w = await import("../e/w.js");',
        'import { DateTime } from "luxon";',
        "type Q = import('./x.js').Q;",
      ].join("\n"),
      resolver(known),
    );
    expect(info.imports.map((i) => [i.target ?? i.specifier, i.typeOnly])).to.deep.equal([
      ["a/x.ts", false],
      ["a/y.tsx", true],
      ["c/z.ts", true],
      ["b/index.ts", false],
      ["d/t.ts", true],
      ["e/w.ts", false],
      ["luxon", false],
      ["a/x.ts", true],
    ]);
  });

  it("finds clock reads: Date.now(), new Date(), DateTime.now(), but not new Date(t)", () => {
    const info = parseModule(
      "core/a.ts",
      [
        "const a = Date.now();",
        "const b = new Date();",
        "const c = new Date(a).toISOString();",
        "const d = DateTime.now();",
        "const e = DateTime.local(2025, 1, 1);",
        "const f = performance.now();",
      ].join("\n"),
      () => null,
    );
    expect(info.clockReads.map((r) => [r.line, r.text])).to.deep.equal([
      [1, "Date.now()"],
      [2, "new Date()"],
      [4, "DateTime.now()"],
      [6, "performance.now()"],
    ]);
    const graph: ImportGraph = new Map([["core/a.ts", info]]);
    expect(coreViolations(graph, CORE)).to.have.length(4);
  });

  it("finds module cycles, type-only imports included, and self-imports", () => {
    expect(moduleCycles(fixture({ "a.ts": ["b.ts"], "b.ts": ["c.ts"], "c.ts": [] }))).to.deep.equal(
      [],
    );
    expect(
      moduleCycles(fixture({ "a.ts": ["b.ts"], "b.ts": ["c.ts"], "c.ts": ["type:a.ts"] })),
    ).to.deep.equal([["a.ts", "b.ts", "c.ts"]]);
    expect(moduleCycles(fixture({ "a.ts": ["a.ts"] }))).to.deep.equal([["a.ts"]]);
  });

  it("finds folder cycles without module cycles", () => {
    // x/1 → y/1 and y/2 → x/2: no module cycle, but x ↔ y.
    const graph = fixture({
      "x/1.ts": ["y/1.ts"],
      "x/2.ts": [],
      "y/1.ts": [],
      "y/2.ts": ["x/2.ts"],
    });
    expect(moduleCycles(graph)).to.deep.equal([]);
    expect(folderCycles(graph, topFolder)).to.deep.equal([["x", "y"]]);
    // Subfolders of one folder; the folder's own files are left out.
    const nested = fixture({
      "w/routes.ts": ["w/pages/a.ts"],
      "w/pages/a.ts": ["w/format.ts"],
      "w/format.ts": [],
      "w/auth/b.ts": ["w/pages/a.ts"],
      "w/pages/c.ts": ["w/auth/d.ts"],
      "w/auth/d.ts": [],
    });
    expect(folderCycles(nested, subfolderAt(2))).to.deep.equal([["w/auth", "w/pages"]]);
  });

  it("keeps the core to itself, i18n and pure packages", () => {
    const graph = fixture({
      "core/a.ts": ["core/b.ts", "i18n/lang.ts", "pkg:luxon"],
      "core/b.ts": ["store/s.ts", "pkg:node:fs", "type:context/c.ts", "pkg:knex"],
      "store/s.ts": ["core/a.ts", "pkg:node:fs"],
      "i18n/lang.ts": [],
      "context/c.ts": [],
    });
    const found = coreViolations(graph, CORE);
    expect(found).to.have.length(4);
    expect(found.join("\n")).to.contain("core/b.ts:1 imports store/s.ts");
    expect(found.join("\n")).to.contain("node:fs");
    expect(found.join("\n")).to.contain("context/c.ts (type only)");
    expect(found.join("\n")).to.contain("knex");
  });

  it("finds imports upwards, sideways within a layer, and folders in no layer", () => {
    const layers: Layers = [["core"], ["store", "ingest"], ["app"], ["cli"]];
    expect(
      layerViolations(
        fixture({
          "cli/main.ts": ["app/a.ts", "core/c.ts"],
          "app/a.ts": ["store/s.ts", "ingest/i.ts"],
          "store/s.ts": ["core/c.ts"],
          "ingest/i.ts": [],
          "core/c.ts": [],
        }),
        layers,
      ),
    ).to.deep.equal([]);
    const found = layerViolations(
      fixture({
        "core/c.ts": ["type:app/a.ts"],
        "store/s.ts": ["ingest/i.ts"],
        "app/a.ts": ["cli/main.ts"],
        "cli/main.ts": [],
        "ingest/i.ts": [],
        "daemon/d.ts": ["core/c.ts"],
      }),
      layers,
    );
    expect(found).to.have.length(4);
    expect(found[0]).to.contain("core may not import app (a higher layer)");
    expect(found.join("\n")).to.contain("store may not import ingest (a folder of the same layer)");
    expect(found.join("\n")).to.contain("app may not import cli");
    expect(found.join("\n")).to.contain("folder daemon is in no layer");
  });

  it("applies the module rules of the README", () => {
    const found = moduleRuleViolations(
      fixture({
        "cli/runtime.ts": ["app/bootstrap.ts", "pkg:commander"],
        "cli/main.ts": ["cli/commands/a.ts"],
        "cli/commands/a.ts": ["app/bootstrap.ts", "cli/commands/b.ts", "cli/main.ts"],
        "cli/commands/b.ts": [],
        "app/bootstrap.ts": ["pkg:prom-client", "pkg:winston"],
        "metrics/registry.ts": ["pkg:prom-client"],
        "log.ts": ["pkg:winston"],
        "scan/x.ts": ["pkg:nodemailer", "pkg:pg", "pkg:preact/jsx-runtime"],
      }),
      MODULE_RULES,
    );
    expect(
      found.map((f) => f.split(":")[0] + " " + f.split(" imports ")[1]?.split(":")[0]),
    ).to.deep.equal([
      "cli/commands/a.ts app/bootstrap.ts",
      "cli/commands/a.ts cli/commands/b.ts",
      "cli/commands/a.ts cli/main.ts",
      "app/bootstrap.ts prom-client",
      "app/bootstrap.ts winston",
      "scan/x.ts nodemailer",
      "scan/x.ts pg",
      "scan/x.ts preact/jsx-runtime",
    ]);
  });
});
