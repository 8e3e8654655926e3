// Run before `npm install` and `npm test` (and the repository's own `npm test`): on a Node without
// node:sqlite (before 22.13) or past its support, say which Node to use before a module error does.
// Plain JavaScript, so that an old Node can run it too.
const [major, minor] = process.versions.node.split('.').map(Number)
if (!((major === 22 && minor >= 13) || major >= 24)) {
  console.error(
    'examples/own-users needs Node 22.13 or later 22.x, or Node 24 or later (it uses node:sqlite); ' +
      `this is Node ${process.versions.node}.\n` +
      'Install one of those (e.g. `nvm install 24`) and run npm with it.',
  )
  process.exit(1)
}
