// The element paths the (oqs_element) options describe, computed straight from the descriptors
// (independently of the codec's own plan), for tests that check coverage and documentation.

#ifndef ONSHI_TESTS_UNIT_OQS_FILES_DESCRIPTOR_PATHS_H_
#define ONSHI_TESTS_UNIT_OQS_FILES_DESCRIPTOR_PATHS_H_

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "onshi/v1/oqs_options.pb.h"

namespace onshi::oqs::testing_util {

struct MappedElement {
  // Below XmlMsg, e.g. "MessageBody/ResultList/ResultOfQualificationConfirmation/Name".
  std::string path;
  const google::protobuf::FieldDescriptor* field;
};

// Every element a mapped field occupies (scalars, message elements, list items), depth first.
// "*" / "Prefix*" fields have no element of their own; their fields appear with the prefix.
inline void CollectMappedElements(const google::protobuf::Descriptor* type, const std::string& base,
                                  const std::string& prefix, std::vector<MappedElement>* out,
                                  int depth = 0) {
  if (depth > 16) return;  // no OQS message nests this deep; guards against recursive types
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (!field->options().HasExtension(v1::oqs_element)) continue;
    const std::string& spec = field->options().GetExtension(v1::oqs_element);
    if (!spec.empty() && spec.back() == '*') {
      CollectMappedElements(field->message_type(), base, prefix + spec.substr(0, spec.size() - 1),
                            out, depth + 1);
      continue;
    }
    const std::string path = base + prefix + spec;
    out->push_back({path, field});
    if (field->message_type() != nullptr) {
      CollectMappedElements(field->message_type(), path + "/", "", out, depth + 1);
    }
  }
}

inline std::vector<MappedElement> MappedElements(const google::protobuf::Descriptor* type) {
  std::vector<MappedElement> out;
  CollectMappedElements(type, "", "", &out);
  return out;
}

}  // namespace onshi::oqs::testing_util

#endif  // ONSHI_TESTS_UNIT_OQS_FILES_DESCRIPTOR_PATHS_H_
