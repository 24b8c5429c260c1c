import ArgumentParser
import FactoryBenchRendering

struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Rebuild the static website from every run under results/.")

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Remove the site first and render every page (by default only pages whose inputs changed).")
    var clean = false

    func run() throws {
        let workspace = options.workspace
        let templates = try TemplateSet.load(overrides: options.templatesDirectory)
        let update = try SiteBuilder(workspace: workspace, templates: templates).update(clean: clean)
        print(
            "Site: \(workspace.siteDirectory.path)/index.html (\(update.runPages) run pages, "
                + "\(update.renderedRunPages) rendered)")
    }
}
