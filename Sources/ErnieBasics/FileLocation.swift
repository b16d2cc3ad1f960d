import Foundation

/// Comparing paths given on the command line by what they point to, not how they are spelled.
public enum FileLocation {
    /// Whether `a` and `b` name the same existing file or directory: through `..`, `.`, trailing slashes,
    /// symbolic links, hard links or bind mounts (the device and inode are compared). A missing path is the same
    /// as nothing that exists.
    public static func same(_ a: String, _ b: String) -> Bool {
        guard let first = identity(a), let second = identity(b) else { return false }
        return first == second
    }

    /// (device, inode) of what `path` resolves to, nil when it does not exist.
    static func identity(_ path: String) -> [Int]? {
        guard !path.isEmpty,
              let attributes = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path),
              let device = (attributes[.systemNumber] as? NSNumber)?.intValue,
              let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue else { return nil }
        return [device, inode]
    }
}
