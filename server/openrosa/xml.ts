/**
 * The little XML chiso speaks with ODK clients: escaping for what it writes, and a strict parser
 * for submissions (elements, attributes, text, CDATA, comments, the five named entities and
 * character references). A DOCTYPE is refused outright, so no entity can be declared or expanded
 * (no XXE, no "billion laughs"); depth and element count are bounded.
 */

export interface XmlElement {
  /** The local name (a prefix such as `orx:` is dropped: ODK forms name meta elements either way). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (children's text excluded), entities decoded. */
  text: string;
}

export class XmlError extends Error {}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const MAX_DEPTH = 50;
const MAX_ELEMENTS = 50_000;

function decode(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
    if (!ref) throw new XmlError(`a lone "&" at ${at}`);
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[ref];
    if (named === undefined) throw new XmlError(`unknown entity ${whole}`);
    return named;
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1);

/** Parses a whole document and returns its root element; throws XmlError on anything malformed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  let count = 0;
  const stack: Array<XmlElement & { qname: string }> = [];
  let root: XmlElement | null = null;
  const fail = (what: string): never => {
    throw new XmlError(`${what} at character ${i}`);
  };
  if (source.charCodeAt(0) === 0xfeff) i = 1;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(text, i);
      else if (text.trim() !== "") fail("text outside the root element");
      i = textEnd;
      continue;
    }
    if (source.startsWith("<?", i)) {
      const end = source.indexOf("?>", i);
      if (end === -1) fail("unterminated processing instruction");
      i = end + 2;
    } else if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i);
      if (end === -1) fail("unterminated comment");
      i = end + 3;
    } else if (source.startsWith("<![CDATA[", i)) {
      const end = source.indexOf("]]>", i);
      const top = stack[stack.length - 1];
      if (end === -1 || !top) fail("misplaced CDATA");
      top!.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith("<!", i)) {
      fail("a DOCTYPE or declaration (not accepted)");
    } else if (source.startsWith("</", i)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(source.slice(i, i + 300));
      const top = stack.pop();
      if (!m || !top || m[1] !== top.qname) fail("a closing tag that does not match");
      i += m![0].length;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(source.slice(i, i + 100_000));
      if (!m) fail("a malformed tag");
      if (root && stack.length === 0) fail("a second root element");
      if (++count > MAX_ELEMENTS || stack.length >= MAX_DEPTH) fail("too many or too deeply nested elements");
      const attributes: Record<string, string> = {};
      for (const a of m![2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const name = a[1]!;
        if (Object.hasOwn(attributes, name)) fail(`attribute ${name} given twice`);
        attributes[name] = decode(a[2] ?? a[3] ?? "", i);
      }
      const el = { name: localName(m![1]!), qname: m![1]!, attributes, children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
      if (!m![3]) stack.push(el);
      i += m![0].length;
    }
  }
  if (!root) throw new XmlError("no root element");
  if (stack.length) throw new XmlError(`element <${stack[stack.length - 1]!.qname}> is not closed`);
  return root;
}

/** The first child element with this local name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
