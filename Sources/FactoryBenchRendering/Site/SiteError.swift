import Foundation

/// Why the site could not be brought up to date: `results/` that exists but cannot be
/// read (taken for "no runs", every run page would go), or a download that cannot be put
/// in place.
public enum SiteError: LocalizedError, Equatable {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read '\(path)': \(reason); the site was left as it was"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason); check that the site directory is writable"
        }
    }
}
