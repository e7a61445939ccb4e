#include "adapters/oqs_files/codec.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "adapters/oqs_files/encoding.h"
#include "google/protobuf/descriptor.h"
#include "onshi/v1/oqs_options.pb.h"
#include "plugin/core/errors.h"
#include "pugixml.hpp"

namespace onshi::oqs {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr absl::string_view kRootName = "XmlMsg";
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------------------
// The mapping plan: what each element of a document means, derived once per message type from
// the (oqs_element) and (oqs_code) options and then shared, read-only, by every thread.

struct Node;

// The (oqs_code) values of one enum type. Enum values without a code (the UNSPECIFIED ones)
// are never read from or written to a document.
struct CodeTable {
  struct Entry {
    std::string code;
    int number;
  };
  std::vector<Entry> entries;

  const Entry* ByCode(absl::string_view code) const {
    for (const Entry& e : entries) {
      if (e.code == code) return &e;
    }
    return nullptr;
  }
  const Entry* ByNumber(int number) const {
    for (const Entry& e : entries) {
      if (e.number == number) return &e;
    }
    return nullptr;
  }
};

enum class BindingKind : uint8_t {
  // The element's text is the value of `field`.
  kScalar,
  // A path element ("MessageHeader" in "MessageHeader/X"): its children map through `node`
  // into the same message.
  kContainer,
  // A singular message field: the element's children map through `node` into that message.
  kMessage,
  // A repeated message field: each occurrence of the element adds one entry.
  kRepeated,
};

struct Binding {
  std::string name;
  BindingKind kind = BindingKind::kScalar;
  // Singular message fields leading from the node's message to the message that holds `field`
  // ("*" and "Prefix*" put a sub-message's fields into the enclosing element).
  std::vector<const FieldDescriptor*> via;
  const FieldDescriptor* field = nullptr;  // null for containers
  Node* node = nullptr;                    // containers, messages, repeated messages
  const CodeTable* codes = nullptr;        // enum scalars
};

struct Node {
  // In field-number order, which is the order the encoder writes elements in.
  std::vector<Binding> bindings;
  absl::flat_hash_map<std::string, uint32_t> index;
  // Containers only: written even when empty because they hold a singular field. Containers
  // that hold only repeated fields ("List" of "List/Item") are written only with entries.
  bool always = false;

  int Find(absl::string_view name) const {
    auto it = index.find(name);
    return it == index.end() ? -1 : static_cast<int>(it->second);
  }
};

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// ASCII XML names only: every OQS element name is one.
bool IsXmlName(absl::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

class PlanCache {
 public:
  static PlanCache& Get() {
    static auto* const cache = new PlanCache;  // never destroyed: plans outlive every decode
    return *cache;
  }

  absl::StatusOr<const Node*> For(const Descriptor* type) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = done_.find(type);
      if (it != done_.end()) return it->second;
      auto failed = failed_.find(type);
      if (failed != failed_.end()) return failed->second;
    }
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Node*> node = BuildLocked(type);
    if (!node.ok()) return node.status();
    return *node;
  }

 private:
  absl::StatusOr<Node*> BuildLocked(const Descriptor* type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (auto it = done_.find(type); it != done_.end()) return it->second;
    if (auto it = failed_.find(type); it != failed_.end()) return it->second;
    // A message type that contains itself refers to its own, still growing, node.
    if (auto it = building_.find(type); it != building_.end()) return it->second;
    Node* node = NewNode();
    building_[type] = node;
    std::vector<const Descriptor*> flattening = {type};
    absl::Status status = AddFields(type, node, {}, "", &flattening);
    building_.erase(type);
    if (!status.ok()) {
      failed_.emplace(type, status);
      return status;
    }
    done_.emplace(type, node);
    return node;
  }

  Node* NewNode() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    nodes_.push_back(std::make_unique<Node>());
    return nodes_.back().get();
  }

  absl::StatusOr<const CodeTable*> CodesFor(const EnumDescriptor* type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = codes_.find(type);
    if (it != codes_.end()) return it->second.get();
    auto table = std::make_unique<CodeTable>();
    for (int i = 0; i < type->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* value = type->value(i);
      if (!value->options().HasExtension(v1::oqs_code)) continue;
      const std::string& code = value->options().GetExtension(v1::oqs_code);
      if (code.empty() || table->ByCode(code) != nullptr) {
        return MakeError(errors::kInternal,
                         absl::StrCat("(oqs_code) of ", value->full_name(), " is empty or reused"));
      }
      table->entries.push_back({code, value->number()});
    }
    const CodeTable* result = table.get();
    codes_.emplace(type, std::move(table));
    return result;
  }

  static void AddBinding(Node* node, Binding binding) {
    node->index.emplace(binding.name, static_cast<uint32_t>(node->bindings.size()));
    node->bindings.push_back(std::move(binding));
  }

  // Adds the bindings of `type`'s mapped fields to `node`. `via` leads from the node's message
  // to `type`; `prefix` goes in front of the first element name of each path.
  absl::Status AddFields(const Descriptor* type, Node* node,
                         const std::vector<const FieldDescriptor*>& via, const std::string& prefix,
                         std::vector<const Descriptor*>* flattening)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<const FieldDescriptor*> fields;
    fields.reserve(type->field_count());
    for (int i = 0; i < type->field_count(); ++i) fields.push_back(type->field(i));
    std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
      return a->number() < b->number();
    });
    for (const FieldDescriptor* field : fields) {
      if (!field->options().HasExtension(v1::oqs_element)) continue;
      const std::string& spec = field->options().GetExtension(v1::oqs_element);
      auto bad = [field](absl::string_view why) {
        return MakeError(errors::kInternal,
                         absl::StrCat("(oqs_element) of ", field->full_name(), ": ", why));
      };
      if (spec.empty()) return bad("empty");

      if (spec.back() == '*') {
        std::string inner = spec.substr(0, spec.size() - 1);
        if (!inner.empty() && !IsXmlName(inner)) return bad("a prefix must be an element name");
        if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
          return bad("\"*\" needs a singular message field");
        }
        const Descriptor* sub = field->message_type();
        if (std::find(flattening->begin(), flattening->end(), sub) != flattening->end()) {
          return bad("\"*\" would put a message inside itself");
        }
        std::vector<const FieldDescriptor*> inner_via = via;
        inner_via.push_back(field);
        flattening->push_back(sub);
        absl::Status status = AddFields(sub, node, inner_via, prefix + inner, flattening);
        flattening->pop_back();
        if (!status.ok()) return status;
        continue;
      }

      std::vector<std::string> parts = absl::StrSplit(spec, '/');
      parts[0] = prefix + parts[0];
      for (const std::string& part : parts) {
        if (!IsXmlName(part)) return bad("not a path of element names");
      }
      Node* at = node;
      std::vector<Node*> chain;
      for (size_t i = 0; i + 1 < parts.size(); ++i) {
        int found = at->Find(parts[i]);
        if (found >= 0) {
          Binding& existing = at->bindings[found];
          if (existing.kind != BindingKind::kContainer) {
            return bad("a path element is also a field's element");
          }
          at = existing.node;
        } else {
          Binding container;
          container.name = parts[i];
          container.kind = BindingKind::kContainer;
          container.node = NewNode();
          Node* next = container.node;
          AddBinding(at, std::move(container));
          at = next;
        }
        chain.push_back(at);
      }

      Binding binding;
      binding.name = parts.back();
      binding.via = via;
      binding.field = field;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        absl::StatusOr<Node*> sub = BuildLocked(field->message_type());
        if (!sub.ok()) return sub.status();
        binding.kind = field->is_repeated() ? BindingKind::kRepeated : BindingKind::kMessage;
        binding.node = *sub;
      } else {
        if (field->is_repeated()) return bad("repeated scalars are not supported");
        switch (field->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING:
            if (field->type() == FieldDescriptor::TYPE_BYTES) return bad("bytes are not supported");
            break;
          case FieldDescriptor::CPPTYPE_INT32:
          case FieldDescriptor::CPPTYPE_INT64:
          case FieldDescriptor::CPPTYPE_UINT32:
          case FieldDescriptor::CPPTYPE_UINT64:
            break;
          case FieldDescriptor::CPPTYPE_ENUM: {
            absl::StatusOr<const CodeTable*> codes = CodesFor(field->enum_type());
            if (!codes.ok()) return codes.status();
            binding.codes = *codes;
            break;
          }
          default:
            return bad("unsupported field type");
        }
        binding.kind = BindingKind::kScalar;
      }
      if (at->Find(binding.name) >= 0) return bad("the element name is mapped twice");
      if (binding.kind != BindingKind::kRepeated) {
        for (Node* container : chain) container->always = true;
      }
      AddBinding(at, std::move(binding));
    }
    return absl::OkStatus();
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, Node*> done_ ABSL_GUARDED_BY(mu_);
  // Options that do not make a plan (a programming error, caught by the unit tests).
  std::map<const Descriptor*, absl::Status> failed_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const Descriptor*, Node*> building_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Node>> nodes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const EnumDescriptor*, std::unique_ptr<CodeTable>> codes_
      ABSL_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------
// Shared helpers.

// Where an error happened: element names come from the plan (never from the input).
struct PathFrame {
  const PathFrame* parent;
  absl::string_view name;
  // 1-based position among the entries of a repeated field; 0 for other elements.
  int index;
};

std::string PathString(const PathFrame& frame) {
  std::vector<const PathFrame*> frames;
  for (const PathFrame* f = &frame; f != nullptr; f = f->parent) frames.push_back(f);
  std::string out;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    if (!out.empty()) out += '/';
    absl::StrAppend(&out, (*it)->name);
    if ((*it)->index > 0) absl::StrAppend(&out, "[", (*it)->index, "]");
  }
  return out;
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool AllXmlSpace(absl::string_view s) { return std::all_of(s.begin(), s.end(), IsXmlSpace); }

// 1-based line of byte `offset` in `text` (lines are the same in CP932 and UTF-8).
size_t LineAt(absl::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Resolves the references in raw character data (pugixml runs without parse_escapes so that
// undefined entities can be refused), appending the text to *out unless it is null. Returns
// npos, or the offset in `raw` of the first reference that is not one of the five predefined
// entities or a character reference to an XML character.
size_t AppendUnescaped(absl::string_view raw, std::string* out) {
  size_t i = 0;
  while (true) {
    size_t amp = raw.find('&', i);
    if (out != nullptr) {
      out->append(raw.data() + i, (amp == absl::string_view::npos ? raw.size() : amp) - i);
    }
    if (amp == absl::string_view::npos) return absl::string_view::npos;
    size_t semi = raw.find(';', amp + 1);
    if (semi == absl::string_view::npos) return amp;
    absl::string_view ref = raw.substr(amp + 1, semi - amp - 1);
    char simple = 0;
    if (ref == "lt") {
      simple = '<';
    } else if (ref == "gt") {
      simple = '>';
    } else if (ref == "amp") {
      simple = '&';
    } else if (ref == "apos") {
      simple = '\'';
    } else if (ref == "quot") {
      simple = '"';
    }
    if (simple != 0) {
      if (out != nullptr) out->push_back(simple);
    } else {
      if (ref.size() < 2 || ref[0] != '#') return amp;
      const bool hex = ref[1] == 'x';
      absl::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return amp;
      uint32_t cp = 0;
      for (char c : digits) {
        uint32_t d;
        if (c >= '0' && c <= '9') {
          d = static_cast<uint32_t>(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
          d = static_cast<uint32_t>(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
          d = static_cast<uint32_t>(c - 'A' + 10);
        } else {
          return amp;
        }
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF) return amp;
      }
      if (!IsXmlChar(cp)) return amp;
      if (out != nullptr) AppendUtf8(cp, out);
    }
    i = semi + 1;
  }
}

bool HasReference(const char* text) { return std::strchr(text, '&') != nullptr; }

// The text of an element meant to hold a value: its character data and CDATA sections, with
// references resolved (already validated by CheckTree). False if it holds child elements.
bool ElementText(pugi::xml_node element, std::string* scratch, absl::string_view* text) {
  pugi::xml_node child = element.first_child();
  const char* value = element.value();  // character data before any child (parse_embed_pcdata)
  if (!child) {
    if (!HasReference(value)) {
      *text = value;
      return true;
    }
    scratch->clear();
    AppendUnescaped(value, scratch);
    *text = *scratch;
    return true;
  }
  scratch->clear();
  AppendUnescaped(value, scratch);
  for (; child; child = child.next_sibling()) {
    switch (child.type()) {
      case pugi::node_element:
        return false;
      case pugi::node_pcdata:
        AppendUnescaped(child.value(), scratch);
        break;
      case pugi::node_cdata:
        scratch->append(child.value());
        break;
      default:
        break;  // comments and processing instructions
    }
  }
  *text = *scratch;
  return true;
}

// The codes the terminal uses in CharacterCodeIdentifier, read from the CharacterCode enum.
struct CharacterCodes {
  std::string utf8;
  std::string shift_jis;
};

const CharacterCodes& GetCharacterCodes() {
  static const CharacterCodes* const codes = [] {
    auto* c = new CharacterCodes;
    const EnumDescriptor* type = v1::CharacterCode_descriptor();
    c->utf8 =
        type->FindValueByNumber(v1::CHARACTER_CODE_UTF8)->options().GetExtension(v1::oqs_code);
    c->shift_jis =
        type->FindValueByNumber(v1::CHARACTER_CODE_SHIFT_JIS)->options().GetExtension(v1::oqs_code);
    return c;
  }();
  return *codes;
}

// The top-level field a message type maps to MessageHeader/CharacterCodeIdentifier, if any (every
// answer type has one): an enum of type CharacterCode.
const FieldDescriptor* CharacterCodeField(const Descriptor* type) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && !field->is_repeated() &&
        field->enum_type() == v1::CharacterCode_descriptor() &&
        field->options().GetExtension(v1::oqs_element) == "MessageHeader/CharacterCodeIdentifier") {
      return field;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Decoding, step 1: the prolog, the encoding and the bytes.

enum class DeclaredEncoding { kNone, kUtf8, kShiftJis, kUnsupported };

DeclaredEncoding EncodingNamed(absl::string_view name) {
  for (absl::string_view utf8 : {"UTF-8", "UTF8"}) {
    if (absl::EqualsIgnoreCase(name, utf8)) return DeclaredEncoding::kUtf8;
  }
  for (absl::string_view sjis :
       {"Shift_JIS", "Shift-JIS", "SJIS", "CP932", "MS932", "Windows-31J"}) {
    if (absl::EqualsIgnoreCase(name, sjis)) return DeclaredEncoding::kShiftJis;
  }
  return DeclaredEncoding::kUnsupported;
}

struct Prolog {
  bool has_declaration = false;
  DeclaredEncoding encoding = DeclaredEncoding::kNone;
};

absl::Status MalformedAt(absl::string_view text, size_t offset, absl::string_view what) {
  return MakeError(errors::kDocumentMalformed,
                   absl::StrCat(what, " (line ", LineAt(text, offset), ")"));
}

// Parses the pseudo-attributes of `<?xml ...?>` (the text between "<?xml" and "?>").
absl::Status ParseDeclaration(absl::string_view body, Prolog* prolog) {
  absl::string_view names[] = {"version", "encoding", "standalone"};
  size_t next_name = 0;
  size_t i = 0;
  bool first = true;
  while (true) {
    size_t spaces = i;
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size()) break;
    if (i == spaces) {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
    size_t name_start = i;
    while (i < body.size() && IsNameChar(body[i])) ++i;
    absl::string_view name = body.substr(name_start, i - name_start);
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size() || body[i] != '=') {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
    ++i;
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size() || (body[i] != '"' && body[i] != '\'')) {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
    const char quote = body[i++];
    size_t value_end = body.find(quote, i);
    if (value_end == absl::string_view::npos) {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
    absl::string_view value = body.substr(i, value_end - i);
    i = value_end + 1;
    // Pseudo-attributes come in this order; version is required and first.
    while (next_name < 3 && names[next_name] != name) ++next_name;
    if (next_name == 3 || (first && name != "version")) {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
    ++next_name;
    first = false;
    if (name == "version" && value != "1.0") {
      return MakeError(errors::kDocumentMalformed, "only XML version 1.0 is accepted (line 1)");
    }
    if (name == "encoding") prolog->encoding = EncodingNamed(value);
    if (name == "standalone" && value != "yes" && value != "no") {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is malformed (line 1)");
    }
  }
  if (first) {
    return MakeError(errors::kDocumentMalformed, "the XML declaration has no version (line 1)");
  }
  return absl::OkStatus();
}

// Reads the XML declaration and walks the rest of the prolog up to the root element, refusing a
// DOCTYPE in any letter case before anything else looks at the document. Works on the raw bytes:
// the markup involved is ASCII, and no byte of a CP932 double-byte character is one of
// '<', '?', '!', '-', '>'.
absl::Status ScanProlog(absl::string_view doc, Prolog* prolog) {
  size_t pos = 0;
  if (absl::StartsWith(doc, "<?xml") && doc.size() > 5 && (IsXmlSpace(doc[5]) || doc[5] == '?')) {
    size_t end = doc.find("?>");
    if (end == absl::string_view::npos) {
      return MakeError(errors::kDocumentMalformed, "the XML declaration is not closed (line 1)");
    }
    if (absl::Status status = ParseDeclaration(doc.substr(5, end - 5), prolog); !status.ok()) {
      return status;
    }
    prolog->has_declaration = true;
    pos = end + 2;
  }
  while (pos < doc.size()) {
    if (IsXmlSpace(doc[pos])) {
      ++pos;
      continue;
    }
    absl::string_view rest = doc.substr(pos);
    if (rest[0] != '<') break;
    if (absl::StartsWith(rest, "<!--")) {
      size_t end = doc.find("-->", pos + 4);
      if (end == absl::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    if (absl::StartsWith(rest, "<?")) {
      size_t end = doc.find("?>", pos + 2);
      if (end == absl::string_view::npos) break;
      pos = end + 2;
      continue;
    }
    if (rest.size() >= 9 && absl::EqualsIgnoreCase(rest.substr(0, 9), "<!DOCTYPE")) {
      return MakeError(errors::kDocumentDoctype, absl::StrCat("line ", LineAt(doc, pos)));
    }
    break;
  }
  return absl::OkStatus();
}

// The value of the first <CharacterCodeIdentifier> in the raw bytes, for documents without an
// encoding declaration (both encodings agree on the ASCII involved). Checked against the parsed
// element afterwards, so a match inside a comment cannot steer the decoding unnoticed.
absl::string_view ScanCharacterCode(absl::string_view doc, bool* found) {
  constexpr absl::string_view kOpen = "<CharacterCodeIdentifier>";
  size_t at = doc.find(kOpen);
  *found = at != absl::string_view::npos;
  if (!*found) return {};
  at += kOpen.size();
  size_t end = doc.find('<', at);
  if (end == absl::string_view::npos) end = doc.size();
  return doc.substr(at, end - at);
}

absl::Status EncodingErrorAt(absl::string_view bytes, size_t offset, absl::string_view what) {
  return MakeError(errors::kDocumentEncoding, absl::StrCat(what, " at byte offset ", offset,
                                                           " (line ", LineAt(bytes, offset), ")"));
}

// ---------------------------------------------------------------------------------------------
// Decoding, step 2: the parsed tree as a whole.

constexpr unsigned kParseOptions =
    pugi::parse_cdata | pugi::parse_eol | pugi::parse_ws_pcdata_single | pugi::parse_doctype |
    pugi::parse_declaration | pugi::parse_fragment | pugi::parse_embed_pcdata;

size_t NodeLine(absl::string_view text, pugi::xml_node node) {
  ptrdiff_t offset = node.offset_debug();
  return offset < 0 ? 0 : LineAt(text, static_cast<size_t>(offset));
}

std::string LineSuffix(absl::string_view text, pugi::xml_node node) {
  size_t line = NodeLine(text, node);
  return line == 0 ? std::string() : absl::StrCat(" (line ", line, ")");
}

absl::Status CheckReferences(absl::string_view text, pugi::xml_node node, const char* raw) {
  if (!HasReference(raw) || AppendUnescaped(raw, nullptr) == absl::string_view::npos) {
    return absl::OkStatus();
  }
  return MakeError(errors::kDocumentMalformed,
                   absl::StrCat("a reference to an undefined entity or to a character XML does "
                                "not allow, or a bare '&'",
                                LineSuffix(text, node)));
}

// Checks the document level (one root, XmlMsg; nothing but markup and white space around it;
// no DOCTYPE) and then every node without recursion: the nesting depth, and the references in
// all character data and attribute values. Returns the root element.
absl::StatusOr<pugi::xml_node> CheckTree(const pugi::xml_document& xml, absl::string_view text,
                                         bool has_declaration, int max_depth) {
  pugi::xml_node root;
  bool first = true;
  for (pugi::xml_node child = xml.first_child(); child; child = child.next_sibling()) {
    switch (child.type()) {
      case pugi::node_element:
        if (root) {
          return MakeError(
              errors::kDocumentMalformed,
              absl::StrCat("more than one top-level element", LineSuffix(text, child)));
        }
        root = child;
        break;
      case pugi::node_pcdata:
        if (!AllXmlSpace(child.value())) {
          return MakeError(errors::kDocumentMalformed,
                           absl::StrCat("text outside the root element", LineSuffix(text, child)));
        }
        break;
      case pugi::node_cdata:
        return MakeError(
            errors::kDocumentMalformed,
            absl::StrCat("a CDATA section outside the root element", LineSuffix(text, child)));
      case pugi::node_declaration:
        if (!first || !has_declaration) {
          return MakeError(errors::kDocumentMalformed,
                           absl::StrCat("an XML declaration that does not open the document",
                                        LineSuffix(text, child)));
        }
        break;
      case pugi::node_doctype:
        return MakeError(errors::kDocumentDoctype, LineSuffix(text, child));
      default:
        break;  // comments and processing instructions are ignored
    }
    first = false;
  }
  if (!root) return MakeError(errors::kDocumentMalformed, "the document has no root element");
  if (root.name() != kRootName) {
    return MakeError(errors::kDocumentMalformed,
                     absl::StrCat("the root element is not XmlMsg", LineSuffix(text, root)));
  }

  pugi::xml_node node = root;
  int depth = 1;  // of `node`, counting elements; XmlMsg is 1
  while (true) {
    switch (node.type()) {
      case pugi::node_element: {
        if (depth > max_depth) {
          return MakeError(errors::kDocumentTooDeep,
                           absl::StrCat("elements nest deeper than ", max_depth, " levels",
                                        LineSuffix(text, node)));
        }
        if (absl::Status s = CheckReferences(text, node, node.value()); !s.ok()) return s;
        for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
          if (std::strchr(a.value(), '<') != nullptr) {
            return MakeError(errors::kDocumentMalformed,
                             absl::StrCat("'<' in an attribute value", LineSuffix(text, node)));
          }
          if (absl::Status s = CheckReferences(text, node, a.value()); !s.ok()) return s;
        }
        break;
      }
      case pugi::node_pcdata:
        if (absl::Status s = CheckReferences(text, node, node.value()); !s.ok()) return s;
        break;
      case pugi::node_doctype:
        return MakeError(errors::kDocumentDoctype, LineSuffix(text, node));
      case pugi::node_declaration:
        return MakeError(
            errors::kDocumentMalformed,
            absl::StrCat("an XML declaration inside the root element", LineSuffix(text, node)));
      default:
        break;
    }
    if (pugi::xml_node child = node.first_child()) {
      node = child;
      ++depth;
      continue;
    }
    while (node != root && !node.next_sibling()) {
      node = node.parent();
      --depth;
    }
    if (node == root) break;
    node = node.next_sibling();
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Decoding, step 3: the mapping.

Message* Resolve(Message* message, const std::vector<const FieldDescriptor*>& via) {
  for (const FieldDescriptor* field : via) {
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return message;
}

// Parses ASCII decimal digits (XML white space around them is allowed, as for xs:integer).
bool ParseDecimal(absl::string_view text, uint64_t max, uint64_t* value) {
  while (!text.empty() && IsXmlSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsXmlSpace(text.back())) text.remove_suffix(1);
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *value = v;
  return true;
}

class Decoder {
 public:
  explicit Decoder(absl::string_view text) : text_(text) {}

  absl::Status Children(pugi::xml_node element, const Node& node, Message* message,
                        const PathFrame& path) {
    const std::vector<Binding>& bindings = node.bindings;
    absl::InlinedVector<bool, 64> seen(bindings.size(), false);
    size_t next = 0;
    for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      const char* name = child.name();
      int found;
      // Documents list elements in (nearly) the mapping's order: try the expected one, then the
      // previous one (repeated items), before hashing.
      if (next < bindings.size() && std::strcmp(bindings[next].name.c_str(), name) == 0) {
        found = static_cast<int>(next);
      } else if (next > 0 && std::strcmp(bindings[next - 1].name.c_str(), name) == 0) {
        found = static_cast<int>(next - 1);
      } else {
        found = node.Find(name);
        if (found < 0) continue;  // unknown elements are ignored
      }
      next = static_cast<size_t>(found) + 1;
      const Binding& binding = bindings[found];
      PathFrame here{&path, binding.name, 0};
      if (binding.kind != BindingKind::kRepeated) {
        if (seen[found]) return Invalid(child, here, "appears more than once");
        seen[found] = true;
      }
      absl::Status status;
      switch (binding.kind) {
        case BindingKind::kContainer:
          status = Children(child, *binding.node, message, here);
          break;
        case BindingKind::kScalar:
          status = Scalar(child, binding, message, here);
          break;
        case BindingKind::kMessage: {
          Message* holder = Resolve(message, binding.via);
          Message* sub = holder->GetReflection()->MutableMessage(holder, binding.field);
          status = Children(child, *binding.node, sub, here);
          break;
        }
        case BindingKind::kRepeated: {
          Message* holder = Resolve(message, binding.via);
          const Reflection* reflection = holder->GetReflection();
          Message* sub = reflection->AddMessage(holder, binding.field);
          here.index = reflection->FieldSize(*holder, binding.field);
          status = Children(child, *binding.node, sub, here);
          break;
        }
      }
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Invalid(pugi::xml_node at, const PathFrame& path, absl::string_view what) {
    return MakeError(errors::kDocumentInvalidValue,
                     absl::StrCat("element ", PathString(path), LineSuffix(text_, at), " ", what));
  }

  absl::Status Scalar(pugi::xml_node element, const Binding& binding, Message* message,
                      const PathFrame& path) {
    absl::string_view text;
    if (!ElementText(element, &scratch_, &text)) {
      return Invalid(element, path, "holds elements where a value belongs");
    }
    if (text.empty()) return absl::OkStatus();  // an empty element is the same as an absent one
    Message* holder = Resolve(message, binding.via);
    const Reflection* reflection = holder->GetReflection();
    const FieldDescriptor* field = binding.field;
    uint64_t value = 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(holder, field, std::string(text));
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_ENUM: {
        const CodeTable::Entry* entry = binding.codes->ByCode(text);
        if (entry == nullptr) {
          return Invalid(
              element, path,
              absl::StrCat("holds a value that is not a code of ", field->enum_type()->name()));
        }
        reflection->SetEnumValue(holder, field, entry->number);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT32:
        if (!ParseDecimal(text, std::numeric_limits<int32_t>::max(), &value)) break;
        reflection->SetInt32(holder, field, static_cast<int32_t>(value));
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_INT64:
        if (!ParseDecimal(text, std::numeric_limits<int64_t>::max(), &value)) break;
        reflection->SetInt64(holder, field, static_cast<int64_t>(value));
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_UINT32:
        if (!ParseDecimal(text, std::numeric_limits<uint32_t>::max(), &value)) break;
        reflection->SetUInt32(holder, field, static_cast<uint32_t>(value));
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_UINT64:
        if (!ParseDecimal(text, std::numeric_limits<uint64_t>::max(), &value)) break;
        reflection->SetUInt64(holder, field, value);
        return absl::OkStatus();
      default:
        return MakeError(errors::kInternal, "unsupported field type in the OQS mapping");
    }
    return Invalid(element, path, "is not a non-negative decimal integer in range");
  }

  absl::string_view text_;
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------------
// Encoding.

const Message& ResolveConst(const Message& message,
                            const std::vector<const FieldDescriptor*>& via) {
  const Message* m = &message;
  for (const FieldDescriptor* field : via) m = &m->GetReflection()->GetMessage(*m, field);
  return *m;
}

class Encoder {
 public:
  explicit Encoder(const EncodeOptions& options) : options_(options) {}

  absl::StatusOr<std::string> Run(const Node& plan, const Message& message) {
    out_ = options_.encoding == Encoding::kShiftJis
               ? R"(<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>)"
               : R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>)";
    out_ += '\n';
    PathFrame root{nullptr, kRootName, 0};
    if (absl::Status s = Element(kRootName, plan, message, 0, root, true); !s.ok()) return s;
    return std::move(out_);
  }

 private:
  void Indent(int depth) { out_.append(2 * static_cast<size_t>(depth), ' '); }

  // Writes <name>children</name>, or <name/> when `always` and nothing is inside, or nothing.
  absl::Status Element(absl::string_view name, const Node& node, const Message& message, int depth,
                       const PathFrame& path, bool always) {
    const size_t mark = out_.size();
    Indent(depth);
    absl::StrAppend(&out_, "<", name, ">\n");
    const size_t body = out_.size();
    if (absl::Status s = Children(node, message, depth + 1, path); !s.ok()) return s;
    if (out_.size() == body) {
      out_.resize(mark);
      if (!always) return absl::OkStatus();
      Indent(depth);
      absl::StrAppend(&out_, "<", name, "/>\n");
      return absl::OkStatus();
    }
    Indent(depth);
    absl::StrAppend(&out_, "</", name, ">\n");
    return absl::OkStatus();
  }

  absl::Status Children(const Node& node, const Message& message, int depth,
                        const PathFrame& path) {
    for (const Binding& binding : node.bindings) {
      PathFrame here{&path, binding.name, 0};
      absl::Status status;
      switch (binding.kind) {
        case BindingKind::kScalar:
          status = Scalar(binding, ResolveConst(message, binding.via), depth, here);
          break;
        case BindingKind::kContainer:
          status = Element(binding.name, *binding.node, message, depth, here, binding.node->always);
          break;
        case BindingKind::kMessage: {
          const Message& holder = ResolveConst(message, binding.via);
          const Reflection* reflection = holder.GetReflection();
          if (!reflection->HasField(holder, binding.field)) break;
          status = Element(binding.name, *binding.node,
                           reflection->GetMessage(holder, binding.field), depth, here, true);
          break;
        }
        case BindingKind::kRepeated: {
          const Message& holder = ResolveConst(message, binding.via);
          const Reflection* reflection = holder.GetReflection();
          const int size = reflection->FieldSize(holder, binding.field);
          for (int i = 0; i < size && status.ok(); ++i) {
            here.index = i + 1;
            status = Element(binding.name, *binding.node,
                             reflection->GetRepeatedMessage(holder, binding.field, i), depth, here,
                             true);
          }
          break;
        }
      }
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status Invalid(const PathFrame& path, absl::string_view what) {
    return MakeError(errors::kDocumentInvalidValue,
                     absl::StrCat("element ", PathString(path), " ", what));
  }

  absl::Status Scalar(const Binding& binding, const Message& holder, int depth,
                      const PathFrame& path) {
    const Reflection* reflection = holder.GetReflection();
    const FieldDescriptor* field = binding.field;
    std::string number;
    absl::string_view value;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        value = reflection->GetStringReference(holder, field, &string_scratch_);
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int n = reflection->GetEnumValue(holder, field);
        if (n == 0) return absl::OkStatus();
        const CodeTable::Entry* entry = binding.codes->ByNumber(n);
        if (entry == nullptr) {
          return Invalid(path, absl::StrCat("has no (oqs_code) for enum value ", n));
        }
        value = entry->code;
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        const int32_t v = reflection->GetInt32(holder, field);
        if (v < 0) return Invalid(path, "is negative");
        if (v != 0) number = absl::StrCat(v);
        value = number;
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = reflection->GetInt64(holder, field);
        if (v < 0) return Invalid(path, "is negative");
        if (v != 0) number = absl::StrCat(v);
        value = number;
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        const uint32_t v = reflection->GetUInt32(holder, field);
        if (v != 0) number = absl::StrCat(v);
        value = number;
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        const uint64_t v = reflection->GetUInt64(holder, field);
        if (v != 0) number = absl::StrCat(v);
        value = number;
        break;
      }
      default:
        return MakeError(errors::kInternal, "unsupported field type in the OQS mapping");
    }
    if (value.empty()) return absl::OkStatus();
    Indent(depth);
    absl::StrAppend(&out_, "<", binding.name, ">");
    if (absl::Status s = Text(value, path); !s.ok()) return s;
    absl::StrAppend(&out_, "</", binding.name, ">\n");
    return absl::OkStatus();
  }

  // Appends a value as escaped character data in the output encoding.
  absl::Status Text(absl::string_view value, const PathFrame& path) {
    TextCheck check = CheckUtf8Text(value);
    if (check.kind == TextCheck::kInvalidUtf8) {
      return MakeError(errors::kDocumentEncoding,
                       absl::StrCat("element ", PathString(path), ": the value is not UTF-8"));
    }
    if (check.kind != TextCheck::kOk) {
      return MakeError(errors::kDocumentEncoding,
                       absl::StrCat("element ", PathString(path),
                                    ": the value holds a character XML 1.0 cannot carry"));
    }
    escaped_.clear();
    bool ascii = true;
    for (char c : value) {
      switch (c) {
        case '&':
          escaped_ += "&amp;";
          break;
        case '<':
          escaped_ += "&lt;";
          break;
        case '>':
          escaped_ += "&gt;";
          break;
        case '\r':
          escaped_ += "&#13;";  // a literal CR would come back as LF
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
          escaped_ += c;
      }
    }
    if (options_.encoding != Encoding::kShiftJis || ascii) {
      out_ += escaped_;
      return absl::OkStatus();
    }
    size_t offset = 0;
    switch (cp932_.FromUtf8(escaped_, options_.substitute_unrepresentable, &out_, &offset)) {
      case Cp932Converter::Result::kOk:
        return absl::OkStatus();
      case Cp932Converter::Result::kInvalid:
        return MakeError(errors::kDocumentEncoding,
                         absl::StrCat("element ", PathString(path),
                                      ": a character has no Shift_JIS (CP932) form"));
      case Cp932Converter::Result::kUnavailable:
        break;
    }
    return MakeError(errors::kInternal, "iconv has no CP932 converter on this system");
  }

  EncodeOptions options_;
  Cp932Converter cp932_;
  std::string out_;
  std::string escaped_;
  std::string string_scratch_;
};

}  // namespace

absl::Status DecodeDocument(absl::string_view bytes, const DecodeLimits& limits,
                            google::protobuf::Message* message) {
  message->Clear();
  if (bytes.size() > limits.max_bytes) {
    return MakeError(errors::kDocumentTooLarge,
                     absl::StrCat(bytes.size(), " bytes, limit ", limits.max_bytes));
  }
  absl::StatusOr<const Node*> plan = PlanCache::Get().For(message->GetDescriptor());
  if (!plan.ok()) return plan.status();

  const bool bom = absl::StartsWith(bytes, kUtf8Bom);
  const size_t skipped = bom ? kUtf8Bom.size() : 0;
  const absl::string_view doc = bytes.substr(skipped);
  if (AllXmlSpace(doc)) return MakeError(errors::kDocumentMalformed, "the document is empty");

  Prolog prolog;
  if (absl::Status s = ScanProlog(doc, &prolog); !s.ok()) return s;

  // Which encoding the bytes are in.
  const CharacterCodes& codes = GetCharacterCodes();
  Encoding used = Encoding::kUtf8;
  bool scanned = false;  // the encoding came from a raw CharacterCodeIdentifier
  bool scanned_found = false;
  absl::string_view scanned_code;
  switch (prolog.encoding) {
    case DeclaredEncoding::kUtf8:
      break;
    case DeclaredEncoding::kShiftJis:
      if (bom) {
        return MakeError(errors::kDocumentEncoding,
                         "a UTF-8 byte order mark on a document declared Shift_JIS");
      }
      used = Encoding::kShiftJis;
      break;
    case DeclaredEncoding::kUnsupported:
      return MakeError(errors::kDocumentEncoding,
                       "the declared encoding is neither UTF-8 nor Shift_JIS");
    case DeclaredEncoding::kNone:
      if (!bom) {
        scanned = true;
        scanned_code = ScanCharacterCode(doc, &scanned_found);
        if (scanned_found && scanned_code == codes.shift_jis) used = Encoding::kShiftJis;
      }
      break;
  }

  // The bytes as checked UTF-8 text.
  std::string converted;
  absl::string_view text;
  if (used == Encoding::kUtf8) {
    TextCheck check = CheckUtf8Text(doc);
    switch (check.kind) {
      case TextCheck::kOk:
        break;
      case TextCheck::kInvalidUtf8:
        return EncodingErrorAt(bytes, skipped + check.offset, "a byte sequence that is not UTF-8");
      case TextCheck::kNul:
        return EncodingErrorAt(bytes, skipped + check.offset, "a NUL byte");
      case TextCheck::kNotXmlChar:
        return MalformedAt(bytes, skipped + check.offset, "a character XML 1.0 does not allow");
    }
    text = doc;
  } else {
    TextCheck check = CheckAsciiControls(doc);
    if (check.kind == TextCheck::kNul) {
      return EncodingErrorAt(bytes, skipped + check.offset, "a NUL byte");
    }
    if (check.kind != TextCheck::kOk) {
      return MalformedAt(bytes, skipped + check.offset, "a character XML 1.0 does not allow");
    }
    if (LooksLikeUtf8(doc)) {
      return MakeError(errors::kDocumentEncoding,
                       "the document is read as Shift_JIS but its bytes are UTF-8");
    }
    Cp932Converter cp932;
    size_t offset = 0;
    converted.reserve(doc.size() + doc.size() / 2);
    switch (cp932.ToUtf8(doc, &converted, &offset)) {
      case Cp932Converter::Result::kOk:
        break;
      case Cp932Converter::Result::kInvalid:
        return EncodingErrorAt(bytes, skipped + offset,
                               "a byte sequence that is not Shift_JIS (CP932)");
      case Cp932Converter::Result::kUnavailable:
        return MakeError(errors::kInternal, "iconv has no CP932 converter on this system");
    }
    text = converted;
  }

  // A well-formed document ends with markup. (pugixml would silently drop text at the very end.)
  {
    size_t end = doc.size();
    while (end > 0 && IsXmlSpace(doc[end - 1])) --end;
    if (end == 0 || doc[end - 1] != '>') {
      return MalformedAt(bytes, bytes.size(), "the document does not end with markup");
    }
  }

  pugi::xml_document xml;
  pugi::xml_parse_result parsed =
      xml.load_buffer(text.data(), text.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) {
    if (parsed.status == pugi::status_bad_doctype) {
      return MakeError(errors::kDocumentDoctype,
                       absl::StrCat("line ", LineAt(text, static_cast<size_t>(parsed.offset))));
    }
    // description() is one of pugixml's fixed texts; the input around the offset is never shown.
    return MalformedAt(text, static_cast<size_t>(parsed.offset), parsed.description());
  }
  absl::StatusOr<pugi::xml_node> root =
      CheckTree(xml, text, prolog.has_declaration, limits.max_depth);
  if (!root.ok()) return root.status();

  // CharacterCodeIdentifier must agree with the encoding the bytes were read in.
  {
    pugi::xml_node element = root->child("MessageHeader").child("CharacterCodeIdentifier");
    std::string scratch;
    absl::string_view code;
    const bool present = element && ElementText(element, &scratch, &code);
    if ((present && code == codes.utf8 && used != Encoding::kUtf8) ||
        (present && code == codes.shift_jis && used != Encoding::kShiftJis)) {
      return MakeError(errors::kDocumentEncoding,
                       absl::StrCat("CharacterCodeIdentifier contradicts the encoding of the bytes",
                                    LineSuffix(text, element)));
    }
    if (scanned && scanned_found && (!present || code != scanned_code)) {
      return MakeError(errors::kDocumentEncoding,
                       "the CharacterCodeIdentifier that chose the encoding is not the document's");
    }
  }

  Decoder decoder(text);
  PathFrame path{nullptr, kRootName, 0};
  absl::Status status = decoder.Children(*root, **plan, message, path);
  if (!status.ok()) message->Clear();
  return status;
}

absl::StatusOr<std::string> EncodeDocument(const google::protobuf::Message& message,
                                           const EncodeOptions& options) {
  absl::StatusOr<const Node*> plan = PlanCache::Get().For(message.GetDescriptor());
  if (!plan.ok()) return plan.status();
  Encoder encoder(options);
  return encoder.Run(**plan, message);
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> DecodeByKind(
    DocumentKind kind, absl::string_view bytes, const DecodeLimits& limits) {
  const Descriptor* type = DocumentTypeOf(kind);
  if (type == nullptr) return MakeError(errors::kInvalidArgument, "unknown document kind");
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) {
    return MakeError(errors::kInternal, absl::StrCat("no generated type for ", type->name()));
  }
  std::unique_ptr<Message> message(prototype->New());
  if (absl::Status s = DecodeDocument(bytes, limits, message.get()); !s.ok()) return s;
  return message;
}

absl::StatusOr<std::string> EncodeByKind(DocumentKind kind,
                                         const google::protobuf::Message& message,
                                         const EncodeOptions& options) {
  const Descriptor* type = message.GetDescriptor();
  if (type != DocumentTypeOf(kind)) {
    return MakeError(
        errors::kInvalidArgument,
        absl::StrCat("a ", type->name(), " is not a document of kind ", DocumentKindName(kind)));
  }
  const FieldDescriptor* code = CharacterCodeField(type);
  if (code == nullptr) return EncodeDocument(message, options);
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  copy->GetReflection()->SetEnumValue(copy.get(), code,
                                      options.encoding == Encoding::kShiftJis
                                          ? v1::CHARACTER_CODE_SHIFT_JIS
                                          : v1::CHARACTER_CODE_UTF8);
  return EncodeDocument(*copy, options);
}

absl::StatusOr<v1::QualificationRequestDocument> DecodeQualificationRequest(
    absl::string_view bytes, const DecodeLimits& limits) {
  v1::QualificationRequestDocument request;
  if (absl::Status s = DecodeDocument(bytes, limits, &request); !s.ok()) return s;
  return request;
}

absl::StatusOr<std::string> EncodeQualificationRequest(
    const v1::QualificationRequestDocument& request, const EncodeOptions& options) {
  return EncodeByKind(DocumentKind::kQualificationRequest, request, options);
}

absl::StatusOr<v1::QualificationResult> DecodeQualificationResult(absl::string_view bytes,
                                                                  const DecodeLimits& limits) {
  v1::QualificationResult result;
  if (absl::Status s = DecodeDocument(bytes, limits, &result); !s.ok()) return s;
  return result;
}

absl::StatusOr<std::string> EncodeQualificationResult(const v1::QualificationResult& result,
                                                      const EncodeOptions& options) {
  return EncodeByKind(DocumentKind::kQualificationAnswer, result, options);
}

}  // namespace onshi::oqs
