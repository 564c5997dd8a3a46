import Foundation

@testable import Engine

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/polisen")

    static var names: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
    }

    static func bytes(_ name: String) -> [UInt8] { Array(try! Data(contentsOf: root.appendingPathComponent(name))) }

    /// The fixture decoded by Foundation: an independent reading to check the scanner against.
    static func objects(_ name: String) -> [[String: Any]] {
        try! JSONSerialization.jsonObject(with: Data(bytes(name))) as! [[String: Any]]
    }

    static let latest = "snapshot-2026-08-22T1754Z-dnouri.json"
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pd-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func jsonObject(_ bytes: some Collection<UInt8>) -> NSDictionary? {
    try? JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
}
