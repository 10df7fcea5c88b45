#!/usr/bin/env node
// `pnpm check:packages`: the packages as a user gets them. Packs every publishable package with
// `pnpm pack` (its prepack builds it clean; workspace:* ranges become versions), checks each
// tarball's contents and metadata, then installs the tarballs with npm into fresh projects under
// the OS temp folder — outside the workspace, so nothing resolves through it — and there:
//
//   host          a strict TypeScript host (nodenext) with a model, a router, metrics and gRPC:
//                 type-checks, runs (predict, health, Seldon 404, the host's route and 404, custom
//                 metrics on the scrape, gRPC predict), a CommonJS host, and a class missing
//                 `predict` that must not compile
//   host-lowest   the same against the lowest Fastify 5 the plugins declare
//   cli           the seldon-microservice bin with a .js model (REST predict, the metrics port),
//                 and a .ts model without tsx (a clear error)
//   model         @fastify-seldon/model alone: its install size
//
// Every npm install is one command (`--no-audit --no-fund --prefer-offline`) and must print no
// EBADENGINE warning on this Node but those of Fastify's own dependencies (noted). Each step has a
// time limit, the whole run too. Ends with a
// summary; exits 1 when a check failed.
//
//   node scripts/check-packages.mjs [--keep] [--fastify VERSION]
//     --keep              keep the temporary folder (printed) to look into
//     --fastify VERSION   run host-lowest against VERSION instead of the declared lowest (npm's
//                         peer check off for it, to try versions below the declared range)
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TEMPLATES = join(ROOT, 'scripts', 'check-packages')
const TOTAL_LIMIT_MS = 15 * 60_000
const started = Date.now()
const args = process.argv.slice(2)
const keep = args.includes('--keep')
const fastifyArg = args.includes('--fastify') ? args[args.indexOf('--fastify') + 1] : undefined

const results = []
const children = new Set()

function record (name, ok, detail = '', ms = 0) {
  results.push({ name, ok, detail, ms })
  const time = ms > 0 ? ` (${(ms / 1000).toFixed(1)} s)` : ''
  process.stdout.write(`${ok ? '✔' : '✘'} ${name}${time}${detail !== '' ? `\n    ${detail.split('\n').join('\n    ')}` : ''}\n`)
}

/** Run a command; resolves { code, out } (stdout and stderr together), killed after `limitMs`. */
function run (cmd, argv, { cwd, limitMs = 180_000, env = {} } = {}) {
  return new Promise(resolve => {
    const child = spawn(cmd, argv, {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32'
    })
    children.add(child)
    let out = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { out += d })
    const timer = setTimeout(() => { out += `\n[killed after ${limitMs / 1000} s]`; kill(child) }, limitMs)
    child.on('close', code => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code: code ?? 1, out })
    })
  })
}

function kill (child, signal = 'SIGKILL') {
  try { process.kill(-child.pid, signal) } catch { try { child.kill(signal) } catch {} }
}

/** Time a step and record it; `fn` returns a detail string or throws. */
async function step (name, fn) {
  const t0 = Date.now()
  try {
    const detail = await fn()
    record(name, true, detail ?? '', Date.now() - t0)
    return true
  } catch (err) {
    record(name, false, err?.message ?? String(err), Date.now() - t0)
    return false
  }
}

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).join('\n')

// ---------------------------------------------------------------------------------------------
// Pack

function publishablePackages () {
  const base = join(ROOT, 'packages')
  return readdirSync(base).sort().map(dir => {
    const pkg = JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8'))
    return { dir, path: join(base, dir), pkg }
  }).filter(p => p.pkg.private !== true)
}

async function pack (packages, into) {
  for (const p of packages) {
    const { code, out } = await run('pnpm', ['pack', '--pack-destination', into], { cwd: p.path, limitMs: 240_000 })
    if (code !== 0) throw new Error(`pnpm pack in packages/${p.dir} failed:\n${tail(out)}`)
    const file = join(into, `${p.pkg.name.replace('@', '').replace('/', '-')}-${p.pkg.version}.tgz`)
    if (!existsSync(file)) throw new Error(`pnpm pack in packages/${p.dir} wrote no ${file}`)
    p.tarball = file
  }
  return `${packages.length} tarballs: ${packages.map(p => `${p.dir} ${(statSync(p.tarball).size / 1024).toFixed(0)} kB`).join(', ')}`
}

// ---------------------------------------------------------------------------------------------
// Tarball contents and metadata

function walk (dir) {
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...walk(full)); else files.push(full)
  }
  return files
}

function exportTargets (exp) {
  if (typeof exp === 'string') return [exp]
  if (exp === null || typeof exp !== 'object') return []
  return Object.values(exp).flatMap(exportTargets)
}

/** The problems of one unpacked package (an empty list when it is fine). */
function tarballProblems (p, unpacked, fastifyRange) {
  const problems = []
  const has = rel => existsSync(join(unpacked, rel))
  const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'))
  for (const rel of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
    if (!has(rel)) problems.push(`${rel} missing`)
  }
  if (has('LICENSE') && !/Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/.test(readFileSync(join(unpacked, 'LICENSE'), 'utf8'))) {
    problems.push('LICENSE is not the Apache-2.0 text')
  }
  const files = walk(unpacked).map(f => relative(unpacked, f))
  for (const f of files) {
    if (f.endsWith('.tsbuildinfo')) problems.push(`ships build info ${f}`)
    if (/(^|\/)(test|test-d|coverage|\.tap)\//.test(f)) problems.push(`ships ${f}`)
  }
  for (const f of files.filter(f => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(unpacked, f), 'utf8'))
    for (const source of map.sources ?? []) {
      const target = resolve(join(unpacked, dirname(f)), map.sourceRoot ?? '', source)
      if (!existsSync(target)) problems.push(`${f}: source ${source} not in the tarball`)
    }
  }
  for (const target of exportTargets(pkg.exports)) {
    if (!has(target)) problems.push(`exports target ${target} not in the tarball`)
  }
  for (const target of Object.values(pkg.bin ?? {})) {
    if (!has(target)) problems.push(`bin ${target} not in the tarball`)
  }
  const root = pkg.exports?.['.']
  if (typeof root !== 'object' || root === null || typeof root.types !== 'string') problems.push('exports["."] has no types')
  if (pkg.license !== 'Apache-2.0') problems.push('license is not Apache-2.0')
  if (pkg.engines?.node !== '>=20.19') problems.push('engines.node is not >=20.19')
  if (pkg.repository?.directory !== `packages/${p.dir}` || typeof pkg.repository?.url !== 'string') problems.push('repository (url, directory) missing or wrong')
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords')
  if (pkg.publishConfig?.access !== 'public') problems.push('publishConfig.access is not public')
  // pnpm pack leaves prepack out of the packed package.json: read it from the workspace's
  if (p.pkg.scripts?.prepack === undefined) problems.push('no prepack script')
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is still ${range}`)
    }
  }
  const peer = pkg.peerDependencies?.fastify
  if (peer !== undefined && peer !== fastifyRange) problems.push(`peer fastify is ${peer}, the other plugins declare ${fastifyRange}`)
  const readme = has('README.md') ? readFileSync(join(unpacked, 'README.md'), 'utf8') : ''
  if (/pnpm exec tsc -b|repo(sitory)? root/i.test(readme)) problems.push('README assumes the monorepo (tsc -b / the repository root)')
  const installed = new Set([...readme.matchAll(/npm install ([^\n#]+)/g)].flatMap(([, list]) => list.trim().split(/\s+/)).map(spec => spec.replace(/(.)@[^/]*$/, '$1')))
  const imported = new Set([...readme.matchAll(/(?:from |require\()'([^'.][^']*)'/g)].map(([, spec]) => spec)
    .filter(spec => !spec.startsWith('node:')).map(spec => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')))
  for (const name of imported) {
    if (!installed.has(name)) problems.push(`README imports ${name}, which no \`npm install\` line of it lists`)
  }
  for (const [, link] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?:|mailto:|#)/.test(link)) continue
    if (!has(link.split('#')[0])) problems.push(`README links to ${link}, which is not in the tarball`)
  }
  return problems
}

async function checkTarballs (packages, into, fastifyRange) {
  const lines = []
  for (const p of packages) {
    const unpacked = join(into, p.dir)
    mkdirSync(unpacked, { recursive: true })
    const { code, out } = await run('tar', ['-xzf', p.tarball, '-C', unpacked, '--strip-components=1'], { limitMs: 60_000 })
    if (code !== 0) throw new Error(`cannot unpack ${p.tarball}: ${tail(out)}`)
    for (const problem of tarballProblems(p, unpacked, fastifyRange)) lines.push(`${p.pkg.name}: ${problem}`)
  }
  if (lines.length > 0) throw new Error(lines.join('\n'))
  return 'LICENSE, README, dist with types, source maps with their sources, no build info or tests, metadata, no workspace: ranges'
}

// ---------------------------------------------------------------------------------------------
// Projects

const overridesFor = packages => Object.fromEntries(packages.map(p => [p.pkg.name, `file:${p.tarball}`]))

function writeProject (dir, dependencies, packages, files = []) {
  mkdirSync(join(dir, 'src'), { recursive: true })
  const overrides = overridesFor(packages)
  // every @fastify-seldon package, whoever depends on it, comes from its tarball (npm wants a
  // direct dependency to name the same spec as its override)
  const deps = Object.fromEntries(Object.entries(dependencies).map(([name, range]) => [name, overrides[name] ?? range]))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: `check-${dir.split('/').pop()}`,
    private: true,
    type: 'module',
    dependencies: deps,
    overrides
  }, null, 2))
  for (const [from, to] of files) cpSync(join(TEMPLATES, from), join(dir, to))
}

async function npmInstall (dir, extra = []) {
  const { code, out } = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn', ...extra], { cwd: dir, limitMs: 300_000 })
  if (code !== 0) throw new Error(`npm install failed:\n${tail(out)}`)
  const notes = []
  for (const [, pkg, required] of out.matchAll(/EBADENGINE[\s\S]*?package: '([^']+)'[\s\S]*?required: ([^\n]+)/g)) {
    // Fastify's own dependencies are Fastify's business (cookie 2 through light-my-request, for
    // one): noted, not failed. Any other fails (content-disposition through swagger-ui did).
    const { out: why } = await run('npm', ['explain', pkg.replace(/(.)@[^@]*$/, '$1')], { cwd: dir, limitMs: 60_000 })
    if (!why.includes(' from fastify@')) {
      throw new Error(`npm warns EBADENGINE: ${pkg} requires ${required.trim()} (Node ${process.version}), not through fastify:\n${tail(why, 12)}`)
    }
    notes.push(`${pkg} requires ${required.trim().replace(/,$/, '')} (through fastify itself)`)
  }
  return { ...await installSize(dir), notes }
}

/** Packages installed, the sum of their file sizes (MB), and their disk usage (`du`, MB, where there is one). */
async function installSize (dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
  const count = Object.keys(lock.packages).filter(k => k.startsWith('node_modules/')).length
  let bytes = 0
  for (const f of walk(join(dir, 'node_modules'))) bytes += statSync(f).size
  const du = await run('du', ['-sk', 'node_modules'], { cwd: dir, limitMs: 60_000 })
  const disk = du.code === 0 ? Number.parseInt(du.out, 10) / 1024 : undefined
  return { count, mb: bytes / 1e6, disk }
}

const sizeText = s => `${s.mb.toFixed(1)} MB of files${s.disk !== undefined ? ` (du ${s.disk.toFixed(1)} MiB)` : ''}, ${s.count} packages${s.notes?.length > 0 ? `; npm EBADENGINE, not ours: ${[...new Set(s.notes)].join(', ')}` : ''}`

async function typecheck (dir) {
  const { code, out } = await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: dir, limitMs: 180_000 })
  if (code !== 0) throw new Error(`tsc (strict, nodenext) failed:\n${tail(out)}`)
}

async function mustNotCompile (dir) {
  writeFileSync(join(dir, 'tsconfig.fail.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.' }, include: [], files: ['fail/missing-predict.ts'] }))
  const { code, out } = await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.fail.json'], { cwd: dir, limitMs: 120_000 })
  if (code === 0) throw new Error('a class implementing Model without predict compiled')
  if (!/'predict'/.test(out)) throw new Error(`tsc failed without naming 'predict':\n${tail(out)}`)
  return tail(out.split('\n').find(l => l.includes("'predict'")) ?? '', 1).trim()
}

async function runNode (dir, file) {
  const { code, out } = await run(process.execPath, [file], { cwd: dir, limitMs: 60_000 })
  if (code !== 0) throw new Error(tail(out))
  return out.trim().split('\n').filter(l => l.startsWith('ok - ')).map(l => l.slice(5)).join('; ')
}

const HOST_FILES = [['host.ts', 'src/host.ts'], ['check.ts', 'src/check.ts'], ['host.cjs', 'host.cjs'], ['tsconfig.json', 'tsconfig.json'], ['missing-predict.ts', 'fail/missing-predict.ts']]

function hostDependencies (fastify) {
  return {
    '@fastify-seldon/grpc': '*',
    '@fastify-seldon/metrics': '*',
    '@fastify-seldon/model': '*',
    '@fastify-seldon/router': '*',
    '@grpc/grpc-js': rootVersion('packages/grpc', '@grpc/grpc-js'),
    '@types/node': rootVersion('.', '@types/node'),
    fastify,
    typescript: rootVersion('.', 'typescript')
  }
}

function rootVersion (dir, name) {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'))
  return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name]
}

async function checkHost (label, dir) {
  const installed = JSON.parse(readFileSync(join(dir, 'node_modules/fastify/package.json'), 'utf8')).version
  await step(`${label}: type-check (TypeScript ${rootVersion('.', 'typescript')}, strict, nodenext, fastify ${installed})`, () => typecheck(dir))
  await step(`${label}: run on fastify ${installed}`, () => runNode(dir, 'dist/check.js'))
  await step(`${label}: CommonJS host`, () => runNode(dir, 'host.cjs'))
  await step(`${label}: a Model without predict does not compile`, () => mustNotCompile(dir))
}

async function waitFor (url, child, limitMs) {
  const deadline = Date.now() + limitMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the CLI exited with ${child.exitCode}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {}
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`${url} did not answer within ${limitMs / 1000} s`)
}

async function checkCli (dir) {
  // the workspace's test helper (built by the pack step above), as every CLI test picks its ports
  const { freePorts } = await import('@fastify-seldon/microservice/testing')
  const [http, grpc, metrics] = await freePorts(3)
  const bin = join(dir, 'node_modules/.bin/seldon-microservice')
  const child = spawn(bin, ['model.js', '--http-port', String(http), '--grpc-port', String(grpc), '--metrics-port', String(metrics), '--host', '127.0.0.1'], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' }
  })
  children.add(child)
  let out = ''
  child.stdout.on('data', d => { out += d })
  child.stderr.on('data', d => { out += d })
  try {
    await waitFor(`http://127.0.0.1:${http}/health/ping`, child, 60_000)
    const res = await fetch(`http://127.0.0.1:${http}/api/v1.0/predictions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":{"ndarray":[[1.5,2]]}}'
    })
    const body = await res.text()
    if (res.status !== 200 || !body.includes('"ndarray":[[3.0,4.0]]')) throw new Error(`predict answered ${res.status} ${body}`)
    const docs = await fetch(`http://127.0.0.1:${http}/docs`)
    if (docs.status !== 404) throw new Error(`/docs answered ${docs.status} without @fastify/swagger-ui installed`)
    const scrape = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text()
    if (!/^cli_predictions_total\{[^}]*\} 1$/m.test(scrape)) throw new Error(`the metrics port shows no cli_predictions_total 1:\n${tail(scrape, 10)}`)
    return `REST :${http} predict ${body.trim()}; metrics :${metrics} cli_predictions_total 1; /docs off (no @fastify/swagger-ui)`
  } catch (err) {
    throw new Error(`${err.message}\n${tail(out)}`)
  } finally {
    kill(child, 'SIGTERM')
    await new Promise(resolve => {
      const timer = setTimeout(() => { kill(child); resolve() }, 30_000)
      child.once('close', () => { clearTimeout(timer); resolve() })
      if (child.exitCode !== null) { clearTimeout(timer); resolve() }
    })
    children.delete(child)
  }
}

async function checkCliDocsWithoutSwaggerUi (dir) {
  const { code, out } = await run(join(dir, 'node_modules/.bin/seldon-microservice'), ['model.js', '--http-port', '0', '--grpc-workers', '0', '--metrics-port', '0', '--host', '127.0.0.1'], {
    cwd: dir, limitMs: 60_000, env: { SELDON_DOCS: 'true' }
  })
  if (code === 0 || !out.includes('npm install @fastify/swagger-ui')) throw new Error(`expected a failure naming @fastify/swagger-ui, got exit ${code}:\n${tail(out)}`)
  return tail(out.split('\n').find(l => l.includes('@fastify/swagger-ui')) ?? '', 1).trim()
}

async function checkCliTypeScriptWithoutTsx (dir) {
  if (existsSync(join(dir, 'node_modules/tsx'))) throw new Error('tsx is installed with the CLI: it should be an optional peer')
  const { code, out } = await run(join(dir, 'node_modules/.bin/seldon-microservice'), ['model.ts', '--http-port', '0', '--grpc-workers', '0', '--metrics-port', '0'], { cwd: dir, limitMs: 60_000 })
  if (code === 0 || !/tsx/.test(out)) throw new Error(`expected a failure naming tsx, got exit ${code}:\n${tail(out)}`)
  return tail(out.split('\n').find(l => /tsx/.test(l)) ?? '', 1).trim()
}

// ---------------------------------------------------------------------------------------------

function declaredFastifyRange (packages) {
  const ranges = new Set(packages.map(p => p.pkg.peerDependencies?.fastify).filter(r => r !== undefined))
  if (ranges.size !== 1) throw new Error(`the plugins declare different fastify peer ranges: ${[...ranges].join(', ')}`)
  return [...ranges][0]
}

/** The lowest version a range like `>=5.3.0 <6` or `^5.3.0` allows. */
function lowestOf (range) {
  const m = range.match(/(\d+\.\d+\.\d+)/)
  if (m === null) throw new Error(`cannot read the lowest version of the fastify range ${range}`)
  return m[1]
}

async function main () {
  const work = mkdtempSync(join(tmpdir(), 'fastify-seldon-check-'))
  process.stdout.write(`check:packages in ${work}${keep ? ' (kept)' : ''}\n`)
  const packages = publishablePackages()
  let fastifyRange
  try {
    fastifyRange = declaredFastifyRange(packages)
    const lowest = fastifyArg ?? lowestOf(fastifyRange)
    const tarballs = join(work, 'tarballs')
    mkdirSync(tarballs)
    if (!await step('pack every publishable package (prepack: clean build)', () => pack(packages, tarballs))) return
    await step('tarball contents and metadata', () => checkTarballs(packages, join(work, 'unpacked'), fastifyRange))

    const host = join(work, 'host')
    const hostLowest = join(work, 'host-lowest')
    const cli = join(work, 'cli')
    const model = join(work, 'model')
    writeProject(host, hostDependencies(rootVersion('packages/model', 'fastify')), packages, HOST_FILES)
    writeProject(hostLowest, hostDependencies(lowest), packages, HOST_FILES)
    writeProject(cli, { '@fastify-seldon/microservice': '*' }, packages, [['model.js', 'model.js'], ['model.ts', 'model.ts']])
    writeProject(model, { '@fastify-seldon/model': '*' }, packages)
    const sizes = {}
    const installs = await Promise.all([
      step('npm install: host (model, router, metrics, grpc, fastify, typescript)', async () => sizeText(await npmInstall(host))),
      // a --fastify version may lie outside the declared range (that is what trying one is for)
      step(`npm install: host-lowest (fastify ${lowest})`, async () => sizeText(await npmInstall(hostLowest, fastifyArg !== undefined ? ['--legacy-peer-deps'] : []))),
      step('npm install: @fastify-seldon/microservice alone', async () => sizeText(sizes.microservice = await npmInstall(cli))),
      step('npm install: @fastify-seldon/model alone', async () => sizeText(sizes.model = await npmInstall(model)))
    ])
    if (installs[0]) await checkHost('host', host)
    if (installs[1]) await checkHost(`host-lowest (fastify ${fastifyRange})`, hostLowest)
    if (installs[2]) {
      await step('cli: seldon-microservice model.js (REST predict, metrics port)', () => checkCli(cli))
      await step('cli: a .ts model without tsx is a clear error', () => checkCliTypeScriptWithoutTsx(cli))
      await step('cli: SELDON_DOCS=true without @fastify/swagger-ui is a clear error', () => checkCliDocsWithoutSwaggerUi(cli))
    }
    if (sizes.model !== undefined || sizes.microservice !== undefined) {
      process.stdout.write(`install size (npm, node_modules): model ${sizes.model ? sizeText(sizes.model) : '?'}; microservice ${sizes.microservice ? sizeText(sizes.microservice) : '?'}\n`)
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true })
  }
}

const overall = setTimeout(() => {
  record('time limit', false, `check:packages ran over ${TOTAL_LIMIT_MS / 60_000} min`)
  for (const child of children) kill(child)
  summary()
  process.exit(1)
}, TOTAL_LIMIT_MS)

function summary () {
  const failed = results.filter(r => !r.ok)
  const secs = ((Date.now() - started) / 1000).toFixed(0)
  process.stdout.write(`\ncheck:packages ${failed.length === 0 ? 'PASSED' : 'FAILED'}: ${results.length - failed.length} of ${results.length} checks passed in ${secs} s\n`)
  for (const r of failed) process.stdout.write(`  ✘ ${r.name}\n`)
}

try {
  await main()
} catch (err) {
  record('check:packages', false, err?.stack ?? String(err))
} finally {
  clearTimeout(overall)
  for (const child of children) kill(child)
}
summary()
process.exit(results.length > 0 && results.every(r => r.ok) ? 0 : 1)
