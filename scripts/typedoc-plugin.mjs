// typedoc, for Lifeline's docs site (typedoc.config.mjs):
// - shows a package with several entry points as users import it: the main entry's members on the
//   package's own page, the others as `@lifeline/core/tabs` (typedoc would say `index` and `tabs`),
//   under the package's README without its title (the page has one);
// - shows the packages' version (they share one) beside the site's name.
import { readFileSync } from 'node:fs'
import { Converter, ReflectionKind, RendererEvent } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    // One package at a time: the project is the package, its modules are its entry points.
    // The main entry's members go to the package itself (as typedoc's @mergeModuleWith <project> does).
    const { project } = context
    // The package's README opens with `# @lifeline/core` for npm; the page already has that title.
    const first = project.readme?.[0]
    if (first?.kind === 'text') first.text = first.text.replace(new RegExp(`^# ${project.name}\\s*\\n`), '')
    for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
      if (module.name === 'index') project.mergeReflections(module, project)
      else module.name = `${project.name}/${module.name}`
    }
  })
  app.renderer.on(RendererEvent.BEGIN, (event) => {
    event.project.packageVersion = JSON.parse(readFileSync('packages/core/package.json', 'utf8')).version
  })
}
