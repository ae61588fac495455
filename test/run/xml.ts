/**
 * A small, strict XML reader for the tests: enough of XML 1.0 to reject what a CI system's JUnit
 * reader would reject (unbalanced tags, unquoted or duplicate attributes, raw < or &, unknown
 * entities), and to hand back the tree so tests can read the decoded text.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`raw < or & in ${where}: ${raw.slice(0, 80)}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity]!;
  });
}

export function parseXml(xml: string): XmlElement {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
  while (rest.length > 0) {
    const open = rest.indexOf('<');
    const text = open === -1 ? rest : rest.slice(0, open);
    if (text) stack.at(-1)!.text += decode(text, `<${stack.at(-1)!.name}>`);
    if (open === -1) break;
    rest = rest.slice(open);
    const match = tag.exec(rest);
    if (!match) throw new Error(`malformed tag at: ${rest.slice(0, 80)}`);
    const [whole, closing, name, rawAttributes, selfClosing] = match;
    rest = rest.slice(whole!.length);
    if (closing) {
      const top = stack.pop();
      if (!top || top.name !== name || stack.length === 0) throw new Error(`unbalanced </${name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of rawAttributes!.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, 'g'))) {
      if (key! in attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
      attributes[key!] = decode(value!, `attribute ${key}`);
    }
    const element: XmlElement = { name: name!, attributes, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('an XML document has exactly one root element');
  return root.children[0]!;
}

export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}
