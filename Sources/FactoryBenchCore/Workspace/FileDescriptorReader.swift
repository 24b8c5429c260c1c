import Foundation

/// Reads a pipe to its end with `read(2)`, retrying when a signal interrupts the call
/// (Foundation's `readDataToEndOfFile` traps on EINTR).
public enum FileDescriptorReader {
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let fd = handle.fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }
}
