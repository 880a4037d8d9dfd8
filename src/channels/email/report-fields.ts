/**
 * The machine-readable part of a delivery report (RFC 3464 message/delivery-status) or a feedback
 * report (RFC 5965 message/feedback-report): groups of `Name: value` fields, one group for the
 * message and, in a DSN, one more per recipient, separated by blank lines.
 */

export type ReportFields = Map<string, string>;

/**
 * The field groups of a report body, field names lowercased, folded lines joined.
 * @example parseReportFields("Reporting-MTA: dns; mx.example\r\n\r\nStatus: 5.1.1\r\n")[1].get("status") // "5.1.1"
 */
export function parseReportFields(body: string): ReportFields[] {
  const groups: ReportFields[] = [];
  for (const block of body.split(/\r?\n[ \t]*\r?\n/)) {
    const fields: ReportFields = new Map();
    for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) groups.push(fields);
  }
  return groups;
}

/**
 * A typed field's value without its type: `rfc822; a@example.com` → `a@example.com`,
 * `smtp; 550 5.1.1 unknown` → `550 5.1.1 unknown`.
 */
export function withoutType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(";");
  return (semicolon === -1 ? value : value.slice(semicolon + 1)).trim();
}
