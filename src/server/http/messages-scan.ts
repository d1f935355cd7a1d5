/**
 * Collects the Chinese texts an API error can carry, from the source files (for messages-en.test.ts): every Chinese
 * string of the domain rules and of the zod contracts (not their OpenAPI descriptions), and in the server's modules
 * every Chinese string inside a call that makes an error (new DomainError, conflict, ruleBroken, badInput, notFound,
 * forbidden, unauthenticated, validationFailed) or held by a name that says it is a message. A template literal is
 * given as a pattern with `{}` for each interpolated part, as the table of messages-en.ts writes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const CJK = /[\u3400-\u9fff]/;
const ERROR_CALLS = new Set([
  'DomainError',
  'conflict',
  'ruleBroken',
  'badInput',
  'notFound',
  'forbidden',
  'unauthenticated',
  'validationFailed',
  'refused',
  'closed',
]);
const MESSAGE_NAME = /message|refusal|toomany|reason|error/i;
/** Not messages: OpenAPI texts, log lines, and the domain's reference data. */
const NOT_MESSAGE_CALLS = new Set(['describe', 'meta', 'info', 'warn', 'debug', 'log']);
const NOT_MESSAGE_PROPS = new Set(['summary', 'description', 'title', 'example', 'examples', 'tags']);
/** Data held in the domain's files: the 责任说明 clauses shown to both parties, the counties of a voucher policy. */
const NOT_MESSAGE_NAMES = new Set(['DEFAULT_LIABILITY_TEXT', 'directCounties']);

export interface Found {
  file: string;
  line: number;
  /** the text, or the pattern of a template literal with {} for each interpolated part */
  text: string;
}

function walkFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkFiles(p, out);
    else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

const calleeName = (n: ts.CallExpression | ts.NewExpression): string => {
  const e = n.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
};

function nameOf(n: ts.Node): string {
  if ((ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isParameter(n)) && n.name)
    return n.name.getText();
  if (ts.isFunctionDeclaration(n) && n.name) return n.name.text;
  return '';
}

/** Where a file's texts count: all of them (domain, contracts) or only those in errors (server modules). */
function scanFile(file: string, all: boolean, root: string): Found[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const visit = (node: ts.Node, inError: boolean, excluded: boolean, named: boolean) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      if (NOT_MESSAGE_CALLS.has(name)) excluded = true;
      if (ERROR_CALLS.has(name)) inError = true;
    }
    if (ts.isPropertyAssignment(node) && NOT_MESSAGE_PROPS.has(node.name.getText())) excluded = true;
    const name = nameOf(node);
    if (NOT_MESSAGE_NAMES.has(name)) excluded = true;
    if (MESSAGE_NAME.test(name)) named = true;
    let text: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node))
      text = node.head.text + node.templateSpans.map((s) => `{}${s.literal.text}`).join('');
    if (text !== null) {
      if (CJK.test(text) && !excluded && (all || inError || named)) {
        const line = src.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push({ file: path.relative(root, file), line, text });
      }
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, (c) => visit(c, inError, excluded, named));
  };
  visit(src, false, false, false);
  return found;
}

/** Every Chinese text an error of the API can carry; `root` is the repository. */
export function collectErrorTexts(root: string): Found[] {
  const src = path.join(root, 'src');
  const domain = walkFiles(path.join(src, 'domain')).filter((f) => !/(categories|reference)\.ts$/.test(f));
  const contracts = walkFiles(path.join(src, 'contracts'));
  const server = [...walkFiles(path.join(src, 'server', 'modules')), ...walkFiles(path.join(src, 'server', 'http'))]
    .filter((f) => !/(testing|fixtures|oracle|print|template|columns)\.ts$/.test(f))
    .filter((f) => !/messages-(en|scan)\.ts$/.test(f));
  return [
    ...[...domain, ...contracts].flatMap((f) => scanFile(f, true, root)),
    ...server.flatMap((f) => scanFile(f, false, root)),
  ];
}
