// Prometheus rules and configuration checked and unit-tested by promtool.
import { expect } from "chai";
import { join } from "node:path";
import { REPO_ROOT, RULES_DIR, requireTool, run } from "./tools.js";

describe("observability: Prometheus rules (promtool)", () => {
  it("promtool check rules", function () {
    requireTool(this, "promtool");
    const r = run("promtool", ["check", "rules", "pantau.rules.yml"], undefined, RULES_DIR);
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.match(/SUCCESS: \d+ rules found/);
  });

  it("promtool test rules covers every alert and recording rule", function () {
    requireTool(this, "promtool");
    const r = run("promtool", ["test", "rules", "pantau.rules.test.yml"], undefined, RULES_DIR);
    expect(r.status, r.output).to.equal(0);
  });

  it("the example Prometheus configuration is valid", function () {
    requireTool(this, "promtool");
    const dir = join(REPO_ROOT, "dashboards", "prometheus");
    const r = run("promtool", ["check", "config", "prometheus.example.yml"], undefined, dir);
    expect(r.status, r.output).to.equal(0);
  });
});
