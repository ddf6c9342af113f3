/**
 * ODK's own XForms engine (@getodk/xforms-engine, the engine of ODK Web Forms) running in Node,
 * as an ODK client for the tests: it loads a form chiso serves, is filled through its node API and
 * serialises the instance it would submit.
 *
 * The engine expects a browser DOM. happy-dom provides one, with two gaps that this file fills
 * before the engine is imported: its XML parser gives unprefixed elements no namespace even under
 * a default xmlns (so the parsed tree is rebuilt with createElementNS), and its nodes lack
 * lookupNamespaceURI. Nothing of the engine itself is replaced.
 */
import path from "node:path";
import { createRequire } from "node:module";

type Engine = typeof import("@getodk/xforms-engine");
let engine: Promise<Engine> | null = null;

const XMLNS = "http://www.w3.org/2000/xmlns/";

async function install(): Promise<Engine> {
  const require = createRequire(import.meta.url);
  // The engine's tree-sitter WASM loader finds its file next to __dirname.
  (globalThis as Record<string, unknown>).__dirname = path.dirname(require.resolve("@getodk/xforms-engine"));
  const { Window } = await import("happy-dom");
  const window = new Window();
  type AnyNode = { nodeType: number; documentElement?: AnyElement | null; ownerElement?: AnyElement | null; parentElement: AnyElement | null };
  type AnyElement = AnyNode & { namespaceURI: string | null; prefix: string | null; getAttribute(name: string): string | null };
  const proto = window.Node.prototype as unknown as { lookupNamespaceURI?: (this: AnyNode, prefix: string | null) => string | null };
  proto.lookupNamespaceURI ??= function (this: AnyNode, wanted: string | null) {
    const prefix = wanted || null;
    if (prefix === "xml") return "http://www.w3.org/XML/1998/namespace";
    if (prefix === "xmlns") return XMLNS;
    let el: AnyElement | null | undefined =
      this.nodeType === 9 ? this.documentElement : this.nodeType === 2 ? this.ownerElement : this.nodeType === 1 ? (this as AnyElement) : this.parentElement;
    for (; el; el = el.parentElement) {
      if (el.namespaceURI && (el.prefix || null) === prefix) return el.namespaceURI;
      const declared = el.getAttribute(prefix ? `xmlns:${prefix}` : "xmlns");
      if (declared !== null) return declared || null;
    }
    return null;
  };

  // happy-dom's own node types; only what the rebuild uses.
  interface DomNode {
    nodeType: number;
    data?: string;
  }
  interface DomElement extends DomNode {
    prefix: string | null;
    localName: string;
    attributes: ArrayLike<{ name: string; value: string }>;
    childNodes: ArrayLike<DomNode>;
  }
  interface DomDocument {
    documentElement: DomElement | null;
    createElementNS(
      ns: string | null,
      name: string,
    ): DomElement & { setAttribute(n: string, v: string): void; setAttributeNS(ns: string | null, n: string, v: string): void; appendChild(n: unknown): void };
    createTextNode(text: string): unknown;
    replaceChild(a: unknown, b: unknown): void;
  }
  const BaseParser = window.DOMParser as unknown as new () => { parseFromString(text: string, type: string): DomDocument };
  class NamespaceAwareParser {
    parseFromString(text: string, type: string) {
      const doc = new BaseParser().parseFromString(text, type);
      if (type === "text/html") return doc;
      const rebuild = (el: DomElement, scope: ReadonlyMap<string, string>): unknown => {
        const inScope = new Map(scope);
        for (const a of Array.from(el.attributes)) {
          if (a.name === "xmlns") inScope.set("", a.value);
          else if (a.name.startsWith("xmlns:")) inScope.set(a.name.slice(6), a.value);
        }
        const prefix = el.prefix ?? "";
        const out = doc.createElementNS(inScope.get(prefix) ?? null, prefix ? `${prefix}:${el.localName}` : el.localName);
        for (const a of Array.from(el.attributes)) {
          if (a.name === "xmlns" || a.name.startsWith("xmlns:")) out.setAttributeNS(XMLNS, a.name, a.value);
          else if (a.name.includes(":")) out.setAttributeNS(inScope.get(a.name.split(":")[0]!) ?? null, a.name, a.value);
          else out.setAttribute(a.name, a.value);
        }
        for (const node of Array.from(el.childNodes)) {
          if (node.nodeType === 1) out.appendChild(rebuild(node as DomElement, inScope));
          else if (node.nodeType === 3 || node.nodeType === 4) out.appendChild(doc.createTextNode(node.data ?? ""));
        }
        return out;
      };
      const root = doc.documentElement;
      if (root) doc.replaceChild(rebuild(root, new Map()), root);
      return doc;
    }
  }
  const g = globalThis as Record<string, unknown>;
  g.DOMParser = NamespaceAwareParser;
  for (const name of ["XMLSerializer", "Node", "document", "Element", "Document", "Attr"]) g[name] = (window as unknown as Record<string, unknown>)[name];
  return import("@getodk/xforms-engine");
}

export function odkEngine(): Promise<Engine> {
  engine ??= install();
  return engine;
}

/** Any node of a form instance, as far as the tests use it. */
export interface EngineNode {
  nodeType: string;
  currentState: { reference: string; relevant: boolean; required: boolean; value: unknown; children: readonly EngineNode[] | null };
  validationState?: { violation?: { condition: string; message: { asString: string } | null } | null };
  selectValue?(value: string | null): unknown;
  selectValues?(values: readonly string[]): unknown;
  setValue?(value: unknown): unknown;
}

/** Every node of an instance by its absolute reference (/data/section/question). */
export function nodesByReference(root: EngineNode): Map<string, EngineNode> {
  const out = new Map<string, EngineNode>();
  const walk = (node: EngineNode) => {
    out.set(node.currentState.reference, node);
    for (const child of node.currentState.children ?? []) walk(child);
  };
  walk(root);
  return out;
}
