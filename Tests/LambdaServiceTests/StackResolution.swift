import CloudFormation
import LambdaService

/// The template target resolves against the providers the composition root hands in; these tests need Lambda's only.
extension Template {
    func resolve(_ configuration: StackConfiguration) throws(TemplateError) -> Stack {
        try resolve(configuration, catalog: ResourceCatalog(providers: [LambdaResourceProvider()]))
    }
}
