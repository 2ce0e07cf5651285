// Test-only (tests/test_mdx.py): compile Markdown files with @mdx-js/mdx v3 the way Docusaurus 3
// reads a docs page: front matter removed, the classic `{#id}` heading ids escaped as Docusaurus's
// escapeMarkdownHeadingIds does before MDX sees the text, GFM (tables) on. Prints one JSON line
// per file: {"file", "ok", "error", "tables", "ids"}.
import { compile } from '@mdx-js/mdx'
import remarkGfm from 'remark-gfm'
import { readFileSync } from 'node:fs'

for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, 'utf8').replace(/^---\n[\s\S]*?\n---\n/, '')
  const ids = []
  text = text.replace(/^(#{1,6} .*?) \{#([a-z0-9-]+)\}$/gm, (_, heading, id) => {
    ids.push(id)
    return `${heading} \\{#${id}\\}`
  })
  try {
    const code = String(await compile(text, { format: 'mdx', remarkPlugins: [remarkGfm] }))
    const tables = (code.match(/_components\.table\b/g) || []).length
    console.log(JSON.stringify({ file, ok: true, tables, ids }))
  } catch (error) {
    const where = error.place ? `${error.place.line ?? error.place.start?.line}:${error.place.column ?? error.place.start?.column}` : ''
    console.log(JSON.stringify({ file, ok: false, error: `${where} ${error.reason ?? error.message}`, tables: 0, ids }))
  }
}
