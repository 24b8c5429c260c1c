#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the pipeline reports what it does: step lines, and a progress line that a terminal
/// redraws in place and a log file receives as plain lines.
public protocol PipelineOutput: Sendable {
    func line(_ text: String)
    /// Updates the live progress display.
    func progress(_ text: String)
    /// Ends the live progress display (a terminal gets its final newline).
    func endProgress()
    var isInteractive: Bool { get }
}

/// Standard output; interactive when it is a terminal.
public struct ConsoleOutput: PipelineOutput {
    public let isInteractive: Bool

    public init() {
        isInteractive = isatty(STDOUT_FILENO) == 1
    }

    public func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    public func progress(_ text: String) {
        if isInteractive {
            print("\r\u{1B}[2K" + text, terminator: "")
        } else {
            print(text)
        }
        fflush(nil)
    }

    public func endProgress() {
        if isInteractive { print("") }
    }
}
