/** The HTML of the stand-in's Finch Connect pages. */

import { providerName, type SessionRecord } from "./records.ts";
import { SANDBOX_LOGIN } from "./types.ts";

const PRODUCT_LABELS: Record<string, string> = {
  company: "Company: legal name, EIN, locations, bank accounts",
  directory: "Directory: employee names, departments, managers",
  individual: "Individual: personal details, emails, addresses",
  employment: "Employment: titles, start dates, income",
  payment: "Payments: payroll runs and totals",
  pay_statement: "Pay statements: earnings, taxes, deductions",
  benefits: "Benefits: company deductions and contributions",
  deduction: "Deductions (legacy name for benefits)",
  ssn: "Social Security numbers",
  documents: "Documents: W-4 forms",
};

const PAGE_STYLE =
  "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}" +
  "label{display:block;margin:.4rem 0}fieldset{border:1px solid #ccc;border-radius:8px;margin:1rem 0}" +
  ".error{color:#b00020}button{padding:.5rem 1.2rem}input[type=text],input[type=password]{width:100%}";

export function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${PAGE_STYLE}</style>` +
    `</head><body>${body}</body></html>`
  );
}

export function connectPage(session: SessionRecord, error?: string): string {
  const provider = `${providerName(session.providerId)} (Finch stand-in)`;
  const id = escapeHtml(session.id);
  const checkboxes = session.products
    .map((product) => {
      const label = PRODUCT_LABELS[product] ?? product;
      return (
        `<label><input type="checkbox" name="products" value="${escapeHtml(product)}" checked> ` +
        `${escapeHtml(label)} <code>${escapeHtml(product)}</code></label>`
      );
    })
    .join("");
  return page(
    `Connect ${provider}`,
    `<h1>${escapeHtml(provider)}</h1>` +
      `<p>${escapeHtml(session.customerName ?? "Your company")} is asking to connect to your ` +
      `${escapeHtml(providerName(session.providerId))} account.</p>` +
      (error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`) +
      `<form method="post" action="/connect/complete">` +
      `<input type="hidden" name="session" value="${id}">` +
      `<label>Username <input type="text" name="username" autocomplete="username" required></label>` +
      `<label>Password <input type="password" name="password" autocomplete="current-password" ` +
      `required></label>` +
      `<fieldset><legend>Permissions (uncheck what this account may not read)</legend>` +
      `${checkboxes}</fieldset>` +
      `<p><button type="submit">Connect</button> <a href="/connect/cancel?session=${id}">Cancel</a></p>` +
      `<p><small>Sandbox login: ${SANDBOX_LOGIN.username} / ${SANDBOX_LOGIN.password}</small></p>` +
      `</form>`,
  );
}

export function notFoundPage(): string {
  return page(
    "Connect link not found",
    "<h1>This Connect link is not valid</h1><p>It may have expired or already been used. " +
      "Ask for a new link.</p>",
  );
}

export function connectedPage(code: string): string {
  return page(
    "Connected",
    `<h1>Connected</h1><p>Authorization code: <code id="code">${escapeHtml(code)}</code></p>`,
  );
}

export function cancelledPage(): string {
  return page("Cancelled", "<h1>Connection cancelled</h1><p>You can close this window.</p>");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
