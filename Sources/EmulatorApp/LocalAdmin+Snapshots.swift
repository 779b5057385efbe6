import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension LocalAdmin {
    /// `GET /_local/snapshots` (the list) and `POST /_local/snapshots` `{"name": "..."}` (save the whole state).
    func snapshotCollection(_ method: HTTPRequest.Method, body: ByteBuffer) async -> Response {
        guard let snapshots else { return snapshotFailure(Self.noSnapshots) }
        switch method {
        case .get:
            return json(["snapshots": snapshots.list().map(\.object), "notIncluded": SnapshotCatalog.notIncluded])
        case .post:
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            guard let name = object?["name"] as? String else {
                return snapshotFailure(
                    SnapshotCatalog.Failure(
                        status: 400,
                        code: "ValidationException",
                        message: "expected a JSON object with \"name\" (the snapshot's name), for example {\"name\": \"before-upload\"}"
                    )
                )
            }
            do {
                let (entry, timings) = try await snapshots.save(name)
                return json(Self.answer(entry, timings: timings, verb: "saved"))
            } catch {
                return snapshotFailure(error)
            }
        default:
            return snapshotFailure(Self.methodNotAllowed(method, path: "/_local/snapshots", allowed: "GET or POST"))
        }
    }

    /// `POST /_local/snapshots/{name}/restore` and `DELETE /_local/snapshots/{name}`.
    func snapshotItem(_ method: HTTPRequest.Method, path: String) async -> Response {
        guard let snapshots else { return snapshotFailure(Self.noSnapshots) }
        let rest = path.dropFirst("/_local/snapshots/".count)
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let restore = parts.count == 2 && parts[1] == "restore"
        if restore { parts.removeLast() }
        let name = parts.joined(separator: "/")
        if let refusal = SnapshotCatalog.invalidName(name) { return snapshotFailure(refusal) }
        do {
            switch (method, restore) {
            case (.post, true):
                let (entry, timings) = try await snapshots.restore(name)
                return json(Self.answer(entry, timings: timings, verb: "restored"))
            case (.delete, false):
                try snapshots.delete(name)
                return json(["deleted": name])
            default:
                let allowed = restore ? "POST" : "DELETE (or POST /_local/snapshots/\(name)/restore)"
                return snapshotFailure(Self.methodNotAllowed(method, path: path, allowed: allowed))
            }
        } catch {
            return snapshotFailure(error)
        }
    }

    private static func answer(_ entry: SnapshotCatalog.Entry, timings: [String: Double], verb: String) -> [String: Any] {
        var object = entry.object
        object[verb] = true
        object["serviceMilliseconds"] = timings
        object["notIncluded"] = SnapshotCatalog.notIncluded
        return object
    }

    private static let noSnapshots = SnapshotCatalog.Failure(
        status: 404,
        code: "ResourceNotFoundException",
        message: "this emulator keeps no snapshots (it was built without a data location)"
    )

    private static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: String) -> SnapshotCatalog.Failure {
        .init(status: 405, code: "MethodNotAllowedException", message: "\(method.rawValue) \(path) is not served; use \(allowed)")
    }

    private func snapshotFailure(_ error: any Error) -> Response {
        let failure =
            error as? SnapshotCatalog.Failure
            ?? SnapshotCatalog.Failure(status: 500, code: "InternalFailure", message: "snapshot request failed: \(error)")
        return ErrorRenderer.response(
            for: GenericAWSError(code: failure.code, message: failure.message, httpStatus: failure.status),
            protocol: .awsJson1_1(targetPrefix: "Local"),
            requestId: RequestID.uuid()
        )
    }
}
