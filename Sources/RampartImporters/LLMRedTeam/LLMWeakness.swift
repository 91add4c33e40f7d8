import RampartCore

/// What the LLM red-teaming tools (garak, promptfoo) share: the model under test as a place,
/// and the weakness an attack family shows.
enum LLMWeakness {
    /// Prompt injection and jailbreaks: input that takes over the model's instructions.
    static let promptInjection = 1427
    /// Output the application trusts without checking (harmful content, hallucination).
    static let unvalidatedOutput = 1426
    static let crossSiteScripting = 79
    static let informationExposure = 200

    /// The model under test. An LLM target is a service the application calls, named by its
    /// provider and model ("openai gpt-4o"): kept as a host with service `llm`, so two reports
    /// against the same model land on the same place.
    static func target(_ name: String?) -> Location {
        let name = name?.asciiTrimmed ?? ""
        return .host(HostLocation(address: name.isEmpty ? "unnamed model" : name, service: "llm"))
    }
}
