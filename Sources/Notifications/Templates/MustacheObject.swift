import Foundation
import HeraldJSON
import Mustache

/// A ``JSONValue`` object as swift-mustache sees it, through its public customisation
/// protocols: members are looked up by name (`MustacheParent`), `{{obj}}` prints the object
/// (`MustacheCustomRenderable`), and transforms such as `{{count(obj)}}` act on it
/// (`MustacheTransformable`).
///
/// Why not hand swift-mustache `[String: Any]`: converting the whole notification data for every
/// render is most of the rendering cost; this view converts only the members a template asks for.
/// Every answer is the one the `[String: Any]` form (``JSONValue/mustacheValue``) gives, so
/// both contexts render the same text (TemplateProgramTests compares them).
struct MustacheObject: MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let members: [(key: String, value: JSONValue)]

    /// The member as a context value (the last of a repeated key, as in `mustacheValue`); a null
    /// member is missing, so the lookup climbs to enclosing contexts.
    func child(named name: String) -> Any? {
        JSONValue.object(self.members)[name]?.mustacheContext
    }

    /// What swift-mustache prints for the `[String: Any]` form.
    var renderText: String {
        String(describing: JSONValue.object(self.members).mustacheValue ?? [String: Any]())
    }

    /// An object is never null (an empty one is truthy, like a dictionary).
    var isNull: Bool { false }

    /// The dictionary transforms (`count`, `empty`, `enumerated`, `sorted`) on the `[String: Any]` form.
    func transform(_ name: String) -> Any? {
        (JSONValue.object(self.members).mustacheValue as? [String: Any])?.transform(name)
    }
}
