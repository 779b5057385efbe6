/// API Gateway's own answers, word for word (the default gateway responses of REST APIs and the fixed answers of
/// HTTP APIs), kept in one place.
package enum GatewayMessages {
    /// REST: no resource or method matches (`MISSING_AUTHENTICATION_TOKEN`, 403).
    package static let missingAuthenticationToken = "Missing Authentication Token"
    /// REST: the stage does not exist, or the API key is missing or not accepted (`INVALID_API_KEY`, 403).
    package static let forbidden = "Forbidden"
    /// REST: the integration failed or answered a malformed proxy response (502), or is not emulated (500).
    /// A request whose content type has no request template when the passthrough behaviour forbids passing it
    /// (`WHEN_NO_TEMPLATES` with templates defined, or `NEVER`): 415.
    package static let unsupportedMediaType = "Unsupported Media Type"
    package static let restInternalServerError = "Internal server error"
    /// REST: no answer within the integration timeout (`INTEGRATION_TIMEOUT`, 504).
    package static let endpointRequestTimedOut = "Endpoint request timed out"
    /// REST: the request is over 10 MB (`REQUEST_TOO_LARGE`, 413).
    package static let requestTooLong = "Request Too Long"
    /// HTTP: no route matches (404).
    package static let notFound = "Not Found"
    /// HTTP: the integration failed or answered a malformed response (500).
    package static let httpInternalServerError = "Internal Server Error"
    /// HTTP: no answer within the integration timeout (503).
    package static let serviceUnavailable = "Service Unavailable"
    /// HTTP: the request is over 10 MB (413).
    package static let requestEntityTooLarge = "Request Entity Too Large"
    /// REST: a missing identity source, or a Lambda authorizer failing with `Unauthorized` (`UNAUTHORIZED`, 401).
    package static let unauthorized = "Unauthorized"
    /// REST: a Lambda authorizer's policy allows nothing for the method (`ACCESS_DENIED`, 403, key `Message`).
    package static let notAuthorized = "User is not authorized to access this resource"
    /// REST: a Lambda authorizer's policy denies the method (`ACCESS_DENIED`, 403, key `Message`).
    package static let notAuthorizedExplicitDeny = "User is not authorized to access this resource with an explicit deny in an identity-based policy"
    /// REST: a usage plan's quota is used up (`QUOTA_EXCEEDED`, 429).
    package static let limitExceeded = "Limit Exceeded"
    /// REST `AWS_IAM`: the signature's credential scope names another service (`InvalidSignatureException`, 403).
    package static let wrongSigningService = "Credential should be scoped to correct service: 'execute-api'. "
    /// REST: a request validator found required parameters missing (`BAD_REQUEST_PARAMETERS`, 400), followed by
    /// `[name, name]`.
    package static let missingRequiredParameters = "Missing required request parameters: "
    /// REST: a request validator found the body does not match its model (`BAD_REQUEST_BODY`, 400).
    package static let invalidRequestBody = "Invalid request body"
    /// The `x-amzn-ErrorType` of a missing route on a REST API.
    package static let missingAuthenticationTokenType = "MissingAuthenticationTokenException"
}
