#if canImport(Glibc)
    import Glibc
#endif

/// Finds S3 credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else
/// the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile
/// AWS_PROFILE or "default"). A credentials file that others can read is refused.
public enum S3CredentialsLoader {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func load(environment env: [String: String]) throws -> S3Credentials {
        if let key = env["AWS_ACCESS_KEY_ID"], !key.isEmpty {
            guard let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw Problem(description: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return S3Credentials(
                accessKey: key, secretKey: secret, sessionToken: env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        let path = env["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(env["HOME"] ?? "")/.aws/credentials"
        let profile = env["AWS_PROFILE"] ?? "default"
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Problem(description: "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write \(path)")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw Problem(
                description:
                    "\(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); refusing to use it: chmod 600 \(path)")
        }
        let text: String
        do { text = String(decoding: try FileIO.readAll(path), as: UTF8.self) } catch {
            throw Problem(description: "cannot read \(path): \(error)")
        }
        return try parse(text, profile: profile, path: path)
    }

    /// Where credentials would come from, for `config`: never the values.
    public static func describeSource(environment env: [String: String]) -> String {
        if let key = env["AWS_ACCESS_KEY_ID"], !key.isEmpty { return "environment AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" }
        let path = env["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(env["HOME"] ?? "")/.aws/credentials"
        return "file \(path), profile \(env["AWS_PROFILE"] ?? "default")"
    }

    static func parse(_ text: String, profile: String, path: String) throws -> S3Credentials {
        var section: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = trimmedWhitespace(String(raw))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = trimmedWhitespace(String(line.dropFirst().dropLast()))
                continue
            }
            guard section == profile, let eq = line.firstIndex(of: "=") else { continue }
            values[trimmedWhitespace(String(line[..<eq]))] = trimmedWhitespace(String(line[line.index(after: eq)...]))
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
            throw Problem(description: "\(path) has no aws_access_key_id and aws_secret_access_key in profile [\(profile)]")
        }
        return S3Credentials(accessKey: key, secretKey: secret, sessionToken: values["aws_session_token"])
    }
}
