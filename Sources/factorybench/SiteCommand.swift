import ArgumentParser
import FactoryBenchRendering

struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Rebuild the static website from every run under results/.")

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let workspace = options.workspace
        let templates = try TemplateSet.load(overrides: options.templatesDirectory)
        let pages = try SiteBuilder(workspace: workspace, templates: templates).build()
        print("Site: \(workspace.siteDirectory.path)/index.html (\(pages) run pages)")
    }
}
