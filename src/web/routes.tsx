// The web pages (Papan Kepatuhan) on the daemon's HTTP server, registered with one call:
// registerWebRoutes(router, deps, options). Server-rendered HTML (preact, escaped by default),
// no script; every page answers — a failure is an error page, never a crash or a stack trace
// (src/web/kit.tsx).
//
// Routes: GET /web/style.css, /web/icon.svg (here); the pages GET / (summary), /opd/{code},
// /laporan/{trackingId}, /tren, /tren/unduh, /operasional, /publik (src/web/pageRoutes.tsx);
// sign-in GET|POST /masuk, POST /masuk/token, GET|POST /masuk/tautan, POST /keluar
// (src/web/signInRoutes.tsx).
import type { HttpRouter } from "../http/server.js";
import type { WebDeps } from "./data.js";
import { WebKit, type WebOptions } from "./kit.js";
import { registerPageRoutes } from "./pageRoutes.js";
import { registerSignInRoutes } from "./signInRoutes.js";
import { ICON, STYLESHEET } from "./style.js";

export { type WebDeps } from "./data.js";
export { type WebOptions } from "./kit.js";
export { CLIENT_ATTEMPTS, LINKS_PER_ADDRESS, RATE_WINDOW_MS } from "./signInRoutes.js";

/** Every page route (the tests open each). */
export const WEB_ROUTES = [
  "/",
  "/opd/{code}",
  "/laporan/{trackingId}",
  "/tren",
  "/tren/unduh",
  "/operasional",
  "/publik",
  "/masuk",
  "/masuk/tautan",
] as const;

export function registerWebRoutes(router: HttpRouter, deps: WebDeps, options: WebOptions): void {
  const kit = new WebKit(deps, options);
  registerStaticRoutes(router);
  registerPageRoutes(router, kit);
  registerSignInRoutes(router, kit);
}

/** The stylesheet and icon, served by the daemon itself (regency intranets are often offline). */
function registerStaticRoutes(router: HttpRouter): void {
  const asset = (body: string, type: string, maxAge: number) => async () => ({
    status: 200,
    body,
    headers: {
      "content-type": type,
      "cache-control": `public, max-age=${maxAge}`,
      "x-content-type-options": "nosniff",
    },
  });
  router.add("GET", "/web/style.css", asset(STYLESHEET, "text/css; charset=utf-8", 3600));
  router.add("GET", "/web/icon.svg", asset(ICON, "image/svg+xml", 86_400));
}
