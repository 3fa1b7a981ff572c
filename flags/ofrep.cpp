#include "flags/ofrep.h"

#include <cstdio>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <nlohmann/json.hpp>

#include "flags/evaluator.h"

namespace ficus::flags {
namespace {

using nlohmann::json;

constexpr std::string_view kUsage =
    "use POST /ofrep/v1/evaluate/flags/{key} or POST /ofrep/v1/evaluate/flags with a JSON body "
    "{\"context\": {\"targetingKey\": \"...\"}}";

OfrepReply reply(unsigned status, const json& body) {
  return {status, body.dump(), "", ""};
}

OfrepReply evaluation_error(unsigned status, std::string_view key, ErrorCode code,
                            std::string details, const json* metadata = nullptr) {
  json body = {{"key", key}, {"errorCode", to_string(code)}, {"errorDetails", std::move(details)}};
  if (metadata) body["metadata"] = *metadata;
  return reply(status, body);
}

// The body of a successful evaluation, or of a failed one inside a bulk response.
json evaluation_json(std::string_view key, const Resolution& r) {
  if (!r.ok()) {
    json failure = {
        {"key", key}, {"errorCode", to_string(*r.error_code)}, {"errorDetails", r.error_message}};
    if (r.metadata) failure["metadata"] = *r.metadata;
    return failure;
  }
  json success = {{"key", key}, {"reason", to_string(r.reason)}};
  // No value means "use your code default" (OFREP codeDefaultFlag): DISABLED, or no default.
  if (r.value) success["value"] = *r.value;
  if (!r.variant.empty()) success["variant"] = r.variant;
  success["metadata"] = r.metadata ? *r.metadata : json::object();
  return success;
}

struct ParsedRequest {
  json context = json::object();
  std::string problem;  // set when the body is unusable
};

ParsedRequest parse_request(std::string_view body) {
  ParsedRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;  // as flagd
  json document;
  try {
    document = json::parse(body);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    request.problem = "request body is not valid JSON (" + what +
                      "); send {\"context\": {\"targetingKey\": \"...\"}}";
    return request;
  }
  if (!document.is_object()) {
    request.problem = "request body must be a JSON object {\"context\": {...}}";
    return request;
  }
  if (const auto it = document.find("context"); it != document.end() && !it->is_null()) {
    if (!it->is_object()) {
      request.problem = "context must be a JSON object, not " + it->dump();
      return request;
    }
    request.context = std::move(*it);
  }
  if (const auto key = request.context.find("targetingKey");
      key != request.context.end() && !key->is_string()) {
    request.problem = "context.targetingKey must be a string, not " + key->dump();
  }
  return request;
}

// FNV-1a: a stable 64-bit digest of the bulk body for its ETag.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// RFC 9110 If-None-Match: "*" or a list of entity tags, compared weakly (W/ ignored).
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view tag) {
    return tag.starts_with("W/") ? tag.substr(2) : tag;
  };
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || strip_weak(tag) == strip_weak(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

OfrepReply evaluate_one(const FlagSet& set, const std::string& key, std::string_view body) {
  const ParsedRequest request = parse_request(body);
  if (!request.problem.empty()) {
    return evaluation_error(400, key, ErrorCode::INVALID_CONTEXT, request.problem);
  }
  const Resolution r = evaluate(set, key, EvalContext::from_json(request.context));
  if (!r.ok()) {
    const unsigned status = *r.error_code == ErrorCode::FLAG_NOT_FOUND ? 404 : 400;
    return evaluation_error(status, key, *r.error_code, r.error_message, r.metadata);
  }
  return reply(200, evaluation_json(key, r));
}

OfrepReply evaluate_all(const FlagSet& set, std::uint64_t generation, std::string_view body,
                        std::string_view if_none_match) {
  const ParsedRequest request = parse_request(body);
  if (!request.problem.empty()) {
    return reply(400, {{"errorCode", to_string(ErrorCode::INVALID_CONTEXT)},
                       {"errorDetails", request.problem}});
  }
  const EvalContext context = EvalContext::from_json(request.context);
  json flags = json::array();
  for (const Flag& flag : set.flags()) {
    flags.push_back(evaluation_json(flag.key, evaluate_flag(flag, context)));
  }
  OfrepReply out = reply(200, {{"flags", std::move(flags)}, {"metadata", set.metadata()}});
  // The generation and a digest of the results: the tag changes when the flags or this
  // context's results do, so a client polling with If-None-Match re-reads only then.
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(fnv1a(out.body)));
  out.etag = "\"" + std::to_string(generation) + "-" + digest + "\"";
  if (!if_none_match.empty() && etag_matches(if_none_match, out.etag)) {
    out.status = 304;
    out.body.clear();
  }
  return out;
}

}  // namespace

bool is_ofrep_path(std::string_view target) {
  return target.starts_with("/ofrep/");
}

OfrepReply handle_ofrep(const FlagSet& set, std::uint64_t generation, std::string_view method,
                        std::string_view target, std::string_view body,
                        std::string_view if_none_match) {
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    return reply(
        400, {{"errorDetails", "malformed request target " + json(std::string(target)).dump()}});
  }
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.emplace_back(segment);
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // "flags/"

  const bool evaluate_path = segments.size() >= 4 && segments[0] == "ofrep" &&
                             segments[1] == "v1" && segments[2] == "evaluate" &&
                             segments[3] == "flags";
  if (!evaluate_path || segments.size() > 5) {
    return reply(404, {{"errorDetails", "no OFREP endpoint at " + std::string(url->path()) + "; " +
                                            std::string(kUsage)}});
  }
  if (method != "POST") {
    OfrepReply out = reply(405, {{"errorDetails", "method " + std::string(method) +
                                                      " is not allowed; " + std::string(kUsage)}});
    out.allow = "POST";
    return out;
  }
  if (segments.size() == 5) {
    if (segments[4].empty()) {
      return reply(404, {{"errorDetails", "empty flag key; " + std::string(kUsage)}});
    }
    return evaluate_one(set, segments[4], body);
  }
  return evaluate_all(set, generation, body, if_none_match);
}

}  // namespace ficus::flags
