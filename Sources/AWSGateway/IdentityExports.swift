// Services see who called through `AWSRequest.caller`; re-exporting the identity target keeps `Caller`,
// `RequestAuthorizing`, `AuthorizationDecision` and `ARN` in scope wherever `AWSGateway` is imported.
@_exported import Identity
