extension Stack {
    /// A stack with no resources, parameters or outputs: what `synapscribe-local start` serves when there is no
    /// template (every service up and empty; resources then come from API calls).
    /// - Parameter configuration: Stack name, region and account.
    /// - Returns: The empty stack, with the stack ARN a template of the same name would get.
    package static func empty(configuration: StackConfiguration) -> Stack {
        Stack(
            name: configuration.stackName,
            stackId: "arn:\(configuration.partition):cloudformation:\(configuration.region):\(configuration.accountId):stack/"
                + "\(configuration.stackName)/\(PhysicalNames.uuid(configuration.stackName, configuration.accountId, configuration.region))",
            description: nil,
            parameters: [],
            resources: [],
            outputs: [],
            skipped: [],
            unsupported: [],
            configuration: configuration
        )
    }
}
