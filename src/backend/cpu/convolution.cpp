// float32 convolution through oneDNN's convolution primitives. Ember's
// tensors are plain NCHW, while the primitives are fastest on the blocked
// layouts oneDNN picks for each shape (nChw16c and relatives; Winograd needs
// them), so every call reorders its operands in and its results out. The
// descriptors, primitives and reorders are built once per shape and cached;
// the reordered weights are cached too, keyed on the weight tensor's storage
// and version, so inference with fixed weights reorders them once.
#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "backend/cpu/kernels.h"
#include "backend/cpu/temporary.h"

namespace ember::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// Every number a convolution's primitives depend on.
struct ConvKey {
  int64_t n, c, h, w, o, kh, kw, out_h, out_w;
  int64_t stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w, groups;
  bool winograd, bias;
  auto operator<=>(const ConvKey&) const = default;
};

// Scratch memory from Ember's caching allocator (oneDNN's own would be
// malloc'ed and page-faulted on every call).
struct Buffer {
  Tensor storage;
  memory mem;
};
Buffer scratch(const memory::desc& desc) {
  const int64_t floats = static_cast<int64_t>((desc.get_size() + sizeof(float) - 1) / sizeof(float));
  Tensor t = temporary({std::max<int64_t>(floats, 1)}, Dtype::float32);
  return {t, memory(desc, cpu_engine(), t.data_ptr())};
}

memory wrap(const memory::desc& desc, const Tensor& t) { return memory(desc, cpu_engine(), t.data_ptr()); }

// A reorder between Ember's plain layout and the one a primitive asked for;
// empty when they are the same.
std::optional<dnnl::reorder> reorder_between(const memory::desc& from, const memory::desc& to) {
  if (from == to) return std::nullopt;
  return dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to));
}

void run(const dnnl::reorder& reorder, const memory& from, const memory& to) {
  reorder.execute(thread_stream(), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
}

// `plain` in the layout `want`: the tensor itself, or a reordered copy.
memory to_layout(const std::optional<dnnl::reorder>& reorder, const memory::desc& plain_desc,
                 const memory::desc& want, const Tensor& plain, std::optional<Buffer>& keep) {
  memory src = wrap(plain_desc, plain);
  if (!reorder) return src;
  keep = scratch(want);
  run(*reorder, src, keep->mem);
  return keep->mem;
}

// Where a primitive writes a result bound for `plain`: the tensor itself, or
// a buffer reordered into it by `finish`.
struct Destination {
  memory mem;
  std::optional<Buffer> buffer;
};
Destination destination(const std::optional<dnnl::reorder>& reorder, const memory::desc& plain_desc,
                        const memory::desc& want, const Tensor& plain) {
  if (!reorder) return {wrap(plain_desc, plain), std::nullopt};
  Buffer b = scratch(want);
  memory m = b.mem;
  return {m, std::move(b)};
}
void finish(const std::optional<dnnl::reorder>& reorder, const Destination& d, const memory::desc& plain_desc,
            const Tensor& plain) {
  if (reorder) run(*reorder, d.mem, wrap(plain_desc, plain));
}

struct Backward {
  dnnl::convolution_backward_data::primitive_desc data_pd;
  dnnl::convolution_backward_data data;
  dnnl::convolution_backward_weights::primitive_desc weights_pd;
  dnnl::convolution_backward_weights weights;
  std::optional<dnnl::reorder> diff_dst_in, weights_in, diff_src_out, src_in, diff_dst_in_for_weights,
      diff_weights_out;
};

struct ConvPrimitives {
  memory::desc src_plain, weights_plain, bias_plain, dst_plain;
  memory::dims strides, dilates, pad_l, pad_r;
  dnnl::algorithm algorithm;
  dnnl::primitive_attr attr;
  dnnl::convolution_forward::primitive_desc fwd_pd;
  dnnl::convolution_forward fwd;
  std::optional<dnnl::reorder> src_in, weights_in, dst_out;
  std::optional<Backward> bwd;  // built on the first backward call

  std::mutex mutex;  // guards bwd and the weight cache
  Tensor cached_weights_source;  // the weights last reordered (kept alive so the address is not reused)
  uint64_t cached_weights_version = 0;
  std::optional<Buffer> cached_weights;
};

dnnl::convolution_forward::primitive_desc forward_pd(const ConvPrimitives& p, const ConvKey& k,
                                                    dnnl::algorithm algorithm) {
  const memory::desc any_src(p.src_plain.dims(), memory::data_type::f32, Tag::any);
  const memory::desc any_weights(p.weights_plain.dims(), memory::data_type::f32, Tag::any);
  const memory::desc any_dst(p.dst_plain.dims(), memory::data_type::f32, Tag::any);
  const auto prop = dnnl::prop_kind::forward_training;
  auto desc = k.bias ? dnnl::convolution_forward::desc(prop, algorithm, any_src, any_weights, p.bias_plain, any_dst,
                                                       p.strides, p.dilates, p.pad_l, p.pad_r)
                     : dnnl::convolution_forward::desc(prop, algorithm, any_src, any_weights, any_dst, p.strides,
                                                       p.dilates, p.pad_l, p.pad_r);
  return dnnl::convolution_forward::primitive_desc(desc, p.attr, cpu_engine());
}

// nullptr when oneDNN has no implementation for this convolution.
std::unique_ptr<ConvPrimitives> build(const ConvKey& k) {
  auto p = std::make_unique<ConvPrimitives>();
  const auto f32 = memory::data_type::f32;
  p->src_plain = memory::desc({k.n, k.c, k.h, k.w}, f32, Tag::nchw);
  p->dst_plain = memory::desc({k.n, k.o, k.out_h, k.out_w}, f32, Tag::nchw);
  p->weights_plain = k.groups == 1
                         ? memory::desc({k.o, k.c, k.kh, k.kw}, f32, Tag::oihw)
                         : memory::desc({k.groups, k.o / k.groups, k.c / k.groups, k.kh, k.kw}, f32, Tag::goihw);
  p->bias_plain = memory::desc({k.o}, f32, Tag::x);
  p->strides = {k.stride_h, k.stride_w};
  p->dilates = {k.dilation_h - 1, k.dilation_w - 1};  // oneDNN counts the gaps
  p->pad_l = {k.pad_top, k.pad_left};
  p->pad_r = {(k.out_h - 1) * k.stride_h + k.dilation_h * (k.kh - 1) + 1 - k.h - k.pad_top,
              (k.out_w - 1) * k.stride_w + k.dilation_w * (k.kw - 1) + 1 - k.w - k.pad_left};
  if (p->pad_r[0] < 0 || p->pad_r[1] < 0) return nullptr;  // windows that skip the last rows: im2col handles them
  p->attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  p->algorithm = dnnl::algorithm::convolution_direct;
  try {
    if (k.winograd) {
      try {
        p->fwd_pd = forward_pd(*p, k, dnnl::algorithm::convolution_winograd);
        p->algorithm = dnnl::algorithm::convolution_winograd;
      } catch (const dnnl::error&) {
        p->fwd_pd = forward_pd(*p, k, dnnl::algorithm::convolution_direct);  // not available for this shape
      }
    } else {
      p->fwd_pd = forward_pd(*p, k, dnnl::algorithm::convolution_direct);
    }
  } catch (const dnnl::error&) {
    return nullptr;
  }
  p->fwd = dnnl::convolution_forward(p->fwd_pd);
  p->src_in = reorder_between(p->src_plain, p->fwd_pd.src_desc());
  p->weights_in = reorder_between(p->weights_plain, p->fwd_pd.weights_desc());
  p->dst_out = reorder_between(p->fwd_pd.dst_desc(), p->dst_plain);
  return p;
}

void build_backward(ConvPrimitives& p, const ConvKey& k) {
  const auto f32 = memory::data_type::f32;
  const memory::desc any_src(p.src_plain.dims(), f32, Tag::any);
  const memory::desc any_weights(p.weights_plain.dims(), f32, Tag::any);
  const memory::desc any_dst(p.dst_plain.dims(), f32, Tag::any);
  dnnl::convolution_backward_data::desc data_desc(p.algorithm, any_src, any_weights, any_dst, p.strides, p.dilates,
                                                  p.pad_l, p.pad_r);
  auto weights_desc = k.bias ? dnnl::convolution_backward_weights::desc(p.algorithm, any_src, any_weights,
                                                                          p.bias_plain, any_dst, p.strides,
                                                                          p.dilates, p.pad_l, p.pad_r)
                             : dnnl::convolution_backward_weights::desc(p.algorithm, any_src, any_weights, any_dst,
                                                                          p.strides, p.dilates, p.pad_l, p.pad_r);
  Backward b{dnnl::convolution_backward_data::primitive_desc(data_desc, p.attr, cpu_engine(), p.fwd_pd), {},
             dnnl::convolution_backward_weights::primitive_desc(weights_desc, p.attr, cpu_engine(), p.fwd_pd), {},
             {}, {}, {}, {}, {}, {}};
  b.data = dnnl::convolution_backward_data(b.data_pd);
  b.weights = dnnl::convolution_backward_weights(b.weights_pd);
  b.diff_dst_in = reorder_between(p.dst_plain, b.data_pd.diff_dst_desc());
  b.weights_in = reorder_between(p.weights_plain, b.data_pd.weights_desc());
  b.diff_src_out = reorder_between(b.data_pd.diff_src_desc(), p.src_plain);
  b.src_in = reorder_between(p.src_plain, b.weights_pd.src_desc());
  b.diff_dst_in_for_weights = reorder_between(p.dst_plain, b.weights_pd.diff_dst_desc());
  b.diff_weights_out = reorder_between(b.weights_pd.diff_weights_desc(), p.weights_plain);
  p.bwd = std::move(b);
}

ConvKey key_of(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t out_h, int64_t out_w,
               const ConvGeometry& g) {
  const WindowGeometry& win = g.window;
  return {x.size(0),       x.size(1),    x.size(2),       x.size(3),        w.size(0),
          win.kernel_h,    win.kernel_w, out_h,           out_w,            win.stride_h,
          win.stride_w,    win.pad_top,  win.pad_left,    win.dilation_h,   win.dilation_w,
          g.groups,        g.winograd,   bias.defined()};
}

// The cached primitives for a convolution; nullptr when oneDNN cannot run it.
ConvPrimitives* primitives_for(const ConvKey& key) {
  static std::mutex mutex;
  static auto* cache = new std::map<ConvKey, std::unique_ptr<ConvPrimitives>>();  // lives as long as the process
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache->find(key);
  if (it == cache->end()) it = cache->emplace(key, build(key)).first;
  return it->second.get();
}

bool supported(const Tensor& x) { return x.dtype() == Dtype::float32 && x.numel() > 0; }

// oneDNN reports failures (out of memory, say) as dnnl::error; Ember's callers expect ember::Error.
template <class F>
bool as_ember_errors(const char* pass, const Tensor& x, const Tensor& w, F&& f) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    detail::fail("convolution: oneDNN's ", pass, " failed (", e.what(), ") for input of shape ", x.sizes(),
                 " and weight of shape ", w.sizes());
  }
}

bool forward(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeometry& g) {
  const ConvKey key = key_of(x, w, bias, out.size(2), out.size(3), g);
  ConvPrimitives* p = primitives_for(key);
  if (!p) return false;
  std::optional<Buffer> src_buffer, weights_buffer;
  const memory src = to_layout(p->src_in, p->src_plain, p->fwd_pd.src_desc(), x, src_buffer);
  memory weights;
  {
    std::lock_guard<std::mutex> lock(p->mutex);
    if (!p->weights_in) {
      weights = wrap(p->weights_plain, w);
    } else {
      const bool fresh = p->cached_weights && p->cached_weights_source.is_same(w) &&
                         p->cached_weights_version == w.storage()->version();
      if (!fresh) {
        p->cached_weights = scratch(p->fwd_pd.weights_desc());
        run(*p->weights_in, wrap(p->weights_plain, w), p->cached_weights->mem);
        p->cached_weights_source = w;
        p->cached_weights_version = w.storage()->version();
      }
      weights_buffer = p->cached_weights;  // a reference, so a concurrent refresh cannot free it under us
      weights = weights_buffer->mem;
    }
  }
  const Destination dst = destination(p->dst_out, p->dst_plain, p->fwd_pd.dst_desc(), out);
  const Buffer pad = scratch(p->fwd_pd.scratchpad_desc());
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst.mem}, {DNNL_ARG_SCRATCHPAD, pad.mem}};
  if (bias.defined()) args.emplace(DNNL_ARG_BIAS, wrap(p->bias_plain, bias));
  p->fwd.execute(thread_stream(), args);
  finish(p->dst_out, dst, p->dst_plain, out);
  thread_stream().wait();
  return true;
}

bool backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_bias, const Tensor& grad_out,
              const Tensor& x, const Tensor& w, const ConvGeometry& g) {
  // The key's bias flag is whether a bias gradient is wanted.
  const ConvKey key = key_of(x, w, grad_bias, grad_out.size(2), grad_out.size(3), g);
  ConvPrimitives* p = primitives_for(key);
  if (!p) return false;
  Backward* b = nullptr;
  {
    std::lock_guard<std::mutex> lock(p->mutex);
    if (!p->bwd) {
      try {
        build_backward(*p, key);
      } catch (const dnnl::error&) {
        return false;
      }
    }
    b = &*p->bwd;
  }
  dnnl::stream& stream = thread_stream();
  if (grad_x.defined()) {
    std::optional<Buffer> diff_dst_buffer, weights_buffer;
    const memory diff_dst = to_layout(b->diff_dst_in, p->dst_plain, b->data_pd.diff_dst_desc(), grad_out,
                                      diff_dst_buffer);
    const memory weights = to_layout(b->weights_in, p->weights_plain, b->data_pd.weights_desc(), w, weights_buffer);
    const Destination diff_src = destination(b->diff_src_out, p->src_plain, b->data_pd.diff_src_desc(), grad_x);
    const Buffer pad = scratch(b->data_pd.scratchpad_desc());
    b->data.execute(stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                             {DNNL_ARG_WEIGHTS, weights},
                             {DNNL_ARG_DIFF_SRC, diff_src.mem},
                             {DNNL_ARG_SCRATCHPAD, pad.mem}});
    finish(b->diff_src_out, diff_src, p->src_plain, grad_x);
    stream.wait();
  }
  if (grad_w.defined() || grad_bias.defined()) {
    // The weights primitive always writes both; a bias gradient nobody asked for is not computed
    // (the key then has no bias), and weights nobody asked for go to scratch.
    std::optional<Buffer> src_buffer, diff_dst_buffer;
    const memory src = to_layout(b->src_in, p->src_plain, b->weights_pd.src_desc(), x, src_buffer);
    const memory diff_dst = to_layout(b->diff_dst_in_for_weights, p->dst_plain, b->weights_pd.diff_dst_desc(),
                                      grad_out, diff_dst_buffer);
    const Tensor weights_target = grad_w.defined() ? grad_w : temporary(w.sizes(), Dtype::float32);
    const Destination diff_weights =
        destination(b->diff_weights_out, p->weights_plain, b->weights_pd.diff_weights_desc(), weights_target);
    const Buffer pad = scratch(b->weights_pd.scratchpad_desc());
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                         {DNNL_ARG_DIFF_DST, diff_dst},
                                         {DNNL_ARG_DIFF_WEIGHTS, diff_weights.mem},
                                         {DNNL_ARG_SCRATCHPAD, pad.mem}};
    if (grad_bias.defined()) args.emplace(DNNL_ARG_DIFF_BIAS, wrap(p->bias_plain, grad_bias));
    b->weights.execute(stream, args);
    finish(b->diff_weights_out, diff_weights, p->weights_plain, weights_target);
    stream.wait();
  }
  return true;
}

}  // namespace

bool conv2d(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeometry& g) {
  if (!supported(x)) return false;
  return as_ember_errors("forward pass", x, w, [&] { return forward(out, x, w, bias, g); });
}

bool conv2d_backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_bias, const Tensor& grad_out,
                     const Tensor& x, const Tensor& w, const ConvGeometry& g) {
  if (!supported(x)) return false;
  return as_ember_errors("backward pass", x, w, [&] { return backward(grad_x, grad_w, grad_bias, grad_out, x, w, g); });
}

}  // namespace ember::cpu
