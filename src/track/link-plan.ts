/**
 * Where tracking goes in an email's HTML: the href attributes of the web links to rewrite (in
 * source order) and the offset for the open pixel, as parse5 (the WHATWG parser jsdom uses)
 * reads the HTML. Parsing costs ~12 µs for a one-line fragment and ~400 µs for a 3 KB
 * newsletter, per recipient when the HTML is personalised; three ways round it, each giving the
 * plan a parse would (link-plan.test.ts checks them against fresh parses). Instrumenting a
 * personalised one-line email went from ~34 to ~23 µs, a personalised 3 KB newsletter with three
 * web links from ~500 to ~90 µs:
 * - HTML with no `<a`, `</body` or `</html` (any case) has no link and puts the pixel at the end;
 * - the same HTML as one of the last few planned is looked up;
 * - HTML that differs from a recently parsed one only inside plain text runs (a recipient's name
 *   in a paragraph, say) is planned from that parse, its offsets shifted (~5 µs for 3 KB).
 */
import { type DefaultTreeAdapterTypes, parse } from "parse5";

/** The tracked links' href attributes (source order) and where the pixel goes. */
export interface LinkPlan {
  links: Array<{ start: number; end: number; url: string }>;
  pixelAt: number;
}

/** A parsed HTML text and its runs of plain text: the spans another recipient's copy may differ in. */
interface Parsed {
  html: string;
  plan: LinkPlan;
  runs: Array<{ start: number; end: number }>;
}

/** Links authors mark with this attribute keep their own href (a view-in-browser link, say). */
const noTrackAttribute = "data-waymark-notrack";

const htmlNamespace = "http://www.w3.org/1999/xhtml";
const linkElements = new Set(["a", "area"]);
const webUrl = /^https?:\/\//i;
/** Without these no a/area element and no html or body end tag can exist. */
const anyLinkOrEndTag = /<a|<\/body|<\/html/i;
/** Elements whose text the tokenizer does not read as plain data (raw text, RCDATA, script, plaintext). */
const notPlainText = new Set([
  "script",
  "style",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
  "noscript",
  "textarea",
  "title",
  "plaintext",
]);
/**
 * A plain text run may change into another when both hold something other than whitespace (the
 * tree builder decides on that, e.g. in tables and before <body>) and neither holds a character
 * reference, a carriage return (offsets would shift differently) or a NUL; a '<' ends the run.
 */
const unsafeInRun = /[&\r\0]/;
const notWhitespace = /[^\t\n\f ]/;

/** The plans of the last few texts, by text: a campaign sends the same HTML to everyone. */
const plans = new Map<string, LinkPlan>();
const maxPlans = 64;
/** Only texts up to 256K characters are kept (64 of them: 16M characters at most). */
const maxPlannedLength = 256 * 1024;
/** The last few parses with text runs, most recently useful first. */
const parsed: Parsed[] = [];
const maxParsed = 8;

/**
 * The plan for one HTML text.
 * @example linkPlan('<a href="https://example.com">x</a>') // { links: [{ start: 3, end: 29, url: "https://example.com" }], pixelAt: 35 }
 */
export function linkPlan(html: string): LinkPlan {
  if (!anyLinkOrEndTag.test(html)) return { links: [], pixelAt: html.length };
  const known = plans.get(html);
  if (known) {
    plans.delete(html);
    plans.set(html, known);
    return known;
  }
  for (const [i, candidate] of parsed.entries()) {
    const plan = planFrom(candidate, html);
    if (plan) {
      parsed.splice(i, 1);
      parsed.unshift(candidate);
      return plan;
    }
  }
  const fresh = parseHtml(html);
  if (html.length <= maxPlannedLength) {
    plans.set(html, fresh.plan);
    if (plans.size > maxPlans) plans.delete(plans.keys().next().value ?? "");
    if (fresh.runs.length > 0) {
      parsed.unshift(fresh);
      parsed.length = Math.min(parsed.length, maxParsed);
    }
  }
  return fresh.plan;
}

/**
 * The plan of `html` from the parse of another text, when the two differ only inside that text's
 * plain runs, each changed into another plain run: the tokens and the tree are then the same but
 * for those texts, and every offset after a run moves by the change in its length.
 */
function planFrom(source: Parsed, html: string): LinkPlan | undefined {
  const from = source.html;
  let sourceAt = 0;
  let at = 0;
  const shifts: Array<{ after: number; by: number }> = [];
  for (const run of source.runs) {
    if (!html.startsWith(from.slice(sourceAt, run.start), at)) return undefined;
    at += run.start - sourceAt;
    const next = html.indexOf("<", at);
    const end = run.end === from.length ? (next === -1 ? html.length : -1) : next;
    if (end <= at) return undefined;
    const text = html.slice(at, end);
    if (unsafeInRun.test(text) || !notWhitespace.test(text)) return undefined;
    shifts.push({ after: run.end, by: end - run.end });
    sourceAt = run.end;
    at = end;
  }
  if (html.length - at !== from.length - sourceAt || !html.startsWith(from.slice(sourceAt), at)) return undefined;
  const moved = (offset: number) => {
    let by = 0;
    for (const shift of shifts) if (shift.after <= offset) by = shift.by;
    return offset + by;
  };
  return {
    links: source.plan.links.map((link) => ({ start: moved(link.start), end: moved(link.end), url: link.url })),
    pixelAt: moved(source.plan.pixelAt),
  };
}

function parseHtml(html: string): Parsed {
  const document = parse(html, { sourceCodeLocationInfo: true });
  const links: LinkPlan["links"] = [];
  const texts: Array<{ start: number; end: number }> = [];
  let pixelAt = html.length;
  visit(
    document,
    (element) => {
      const location = element.sourceCodeLocation;
      if (!location) return;
      // Parents come before children: a </body> wins over the </html> around it.
      if ((element.tagName === "html" || element.tagName === "body") && location.endTag) {
        pixelAt = location.endTag.startOffset;
      }
      if (!linkElements.has(element.tagName) || element.namespaceURI !== htmlNamespace) return;
      if (element.attrs.some((attribute) => attribute.name === noTrackAttribute)) return;
      const href = element.attrs.find((attribute) => attribute.name === "href")?.value.trim();
      const at = location.attrs?.href;
      if (href && at && webUrl.test(href)) links.push({ start: at.startOffset, end: at.endOffset, url: href });
    },
    (text, parent) => {
      const location = text.sourceCodeLocation;
      if (location && parent.namespaceURI === htmlNamespace && !notPlainText.has(parent.tagName)) {
        texts.push({ start: location.startOffset, end: location.endOffset });
      }
    },
  );
  // Tree order can differ from source order (a link inside a table is moved before it): number them as written.
  links.sort((a, b) => a.start - b.start);
  return { html, plan: { links, pixelAt }, runs: plainRuns(html, texts) };
}

/** Text nodes that touch are one run (the tree builder may split a run, before <body> say). */
function plainRuns(html: string, texts: Array<{ start: number; end: number }>): Parsed["runs"] {
  texts.sort((a, b) => a.start - b.start);
  const merged: Parsed["runs"] = [];
  for (const text of texts) {
    const last = merged[merged.length - 1];
    if (last && last.end === text.start) last.end = text.end;
    else merged.push({ ...text });
  }
  return merged.filter((run) => {
    const content = html.slice(run.start, run.end);
    const endsRun = run.end === html.length || html[run.end] === "<";
    return endsRun && !content.includes("<") && !unsafeInRun.test(content) && notWhitespace.test(content);
  });
}

function visit(
  node: DefaultTreeAdapterTypes.ParentNode,
  onElement: (element: DefaultTreeAdapterTypes.Element) => void,
  onText: (text: DefaultTreeAdapterTypes.TextNode, parent: DefaultTreeAdapterTypes.Element) => void,
) {
  for (const child of node.childNodes) {
    if ("tagName" in child) {
      onElement(child);
      visit(child, onElement, onText);
    } else if (child.nodeName === "#text" && "tagName" in node) {
      onText(child, node);
    }
  }
}
