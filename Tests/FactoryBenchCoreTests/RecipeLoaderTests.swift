import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct RecipeLoaderTests {
    static let valid = """
        configuration:
          target: local
        service:
          type: sqlite
        client:
          type: sqlite_stress
          settings:
            num_requests: 7
        benchmarks:
          num_clients: 3
        """

    func parse(_ text: String) throws -> Recipe {
        try RecipeLoader.parse(text, path: "r.yaml", name: "r")
    }

    func error(_ text: String) -> RecipeError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? RecipeError
        }
    }

    @Test func loadsTheQuickstartAndEveryExample() throws {
        let examples = Fixtures.repositoryRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.contains("quickstart.yaml"))
        for file in files {
            let recipe = try RecipeLoader.load(path: examples.appendingPathComponent(file).path)
            #expect(recipe.name == String(file.dropLast(5)))
        }
    }

    @Test func fillsDefaultsAndKeepsWhatWasWritten() throws {
        let recipe = try parse(Self.valid)
        #expect(recipe.service.type == .sqlite)
        #expect(recipe.client.type == .sqliteStress)
        #expect(recipe.numClients == 3)
        #expect(recipe.client.settings["num_requests"] == .int(7))
        #expect(recipe.client.settings["initial_rows"] == .int(10000))
        #expect(recipe.service.settings["journal_mode"] == .string("wal"))
        #expect(recipe.text == Self.valid)
        guard case .map(let resolved) = recipe.resolved, case .map(let benchmarks) = resolved["benchmarks"] else {
            Issue.record("resolved recipe is not a mapping")
            return
        }
        #expect(benchmarks["num_clients"] == .int(3))
    }

    @Test func unknownTopLevelKeyIsAnErrorWithItsLocationAndASuggestion() {
        let text = Self.valid + "\nbenchmark:\n  x: 1\n"
        let failure = error(text)
        guard case .unknownKey(let location, let key, _, _) = failure else {
            Issue.record("expected unknownKey, got \(String(describing: failure))")
            return
        }
        #expect(key == "benchmark")
        #expect(location == SourceLocation(file: "r.yaml", line: 11, column: 1))
        #expect(failure?.errorDescription?.contains("did you mean 'benchmarks'") == true)
        #expect(failure?.errorDescription?.hasPrefix("r.yaml:11:1: ") == true)
    }

    @Test func unknownSettingIsAnErrorAtTheSettingsKey() {
        let text = Self.valid.replacingOccurrences(of: "num_requests: 7", with: "num_request: 7")
        guard case .unknownKey(let location, let key, let section, _) = error(text) else {
            Issue.record("expected unknownKey")
            return
        }
        #expect(key == "num_request")
        #expect(section == "settings of sqlite_stress")
        #expect(location.line == 8)
        #expect(location.column == 5)
    }

    @Test func unknownServiceTypeNamesTheKnownOnes() {
        let text = Self.valid.replacingOccurrences(of: "type: sqlite\n", with: "type: sqlit\n")
        let failure = error(text)
        guard case .unknownType(let location, "service", "sqlit", let allowed) = failure else {
            Issue.record("expected unknownType, got \(String(describing: failure))")
            return
        }
        #expect(location.line == 4)
        #expect(location.column == 9)
        #expect(allowed.contains("postgres"))
        #expect(failure?.errorDescription?.contains("did you mean 'sqlite'") == true)
    }

    @Test func wrongKindOfValueIsAnError() {
        let text = Self.valid.replacingOccurrences(of: "num_requests: 7", with: "num_requests: many")
        guard case .wrongType(let location, "client.settings.num_requests", "an integer") = error(text) else {
            Issue.record("expected wrongType")
            return
        }
        #expect(location.line == 8)
        #expect(location.column == 19)
    }

    @Test func valuesOutsideTheirRangeAreErrors() {
        #expect(error(Self.valid.replacingOccurrences(of: "num_requests: 7", with: "num_requests: 0")) != nil)
        #expect(error(Self.valid.replacingOccurrences(of: "num_clients: 3", with: "num_clients: 0")) != nil)
        let badMix = Self.valid.replacingOccurrences(of: "num_requests: 7", with: "mix: {insert: 1, delete: 2}")
        guard case .invalidValue(_, "client.settings.mix", let problem) = error(badMix) else {
            Issue.record("expected invalidValue for mix")
            return
        }
        #expect(problem.contains("unknown operation 'delete'"))
    }

    @Test func yamlSyntaxErrorCarriesLineAndColumn() {
        let text = "service:\n  type: sqlite\n  settings: [unclosed\nclient:\n  type: sqlite_stress\n"
        guard case .syntax(let location, _) = error(text) else {
            Issue.record("expected syntax error")
            return
        }
        #expect(location.file == "r.yaml")
        #expect(location.line >= 3)
    }

    @Test func missingSectionsAndFilesAreErrors() throws {
        #expect(
            error("client:\n  type: sqlite_stress\n")
                == .missingKey(SourceLocation(file: "r.yaml", line: 1, column: 1), key: "service", section: "the recipe"))
        #expect(throws: RecipeError.fileNotFound(path: "/nonexistent/recipe.yaml")) {
            try RecipeLoader.load(path: "/nonexistent/recipe.yaml")
        }
    }

    @Test func clusterKeysAreKeptAsWritten() throws {
        let text = Self.valid.replacingOccurrences(
            of: "type: sqlite\n", with: "type: sqlite\n  partition: gpu\n  env: {A: \"1\"}\n")
        let recipe = try parse(text)
        #expect(recipe.service.options["partition"] == .string("gpu"))
        #expect(recipe.service.options["env"] == .map(["A": .string("1")]))
    }
}
