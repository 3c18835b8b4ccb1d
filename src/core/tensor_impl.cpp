// TensorImpl: caches numel and contiguity when a view is made.
#include "ember/tensor_impl.h"

#include "ember/grad_mode.h"

namespace ember {

TensorImpl::TensorImpl(IntrusivePtr<Storage> storage, Dtype dtype, Shape sizes, Shape strides,
                       int64_t storage_offset)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      numel_(shape_numel(sizes_)),
      dtype_(dtype),
      is_inference_(is_inference_mode_enabled()) {
  // Contiguous = row-major with no gaps; size-1 dims may have any stride.
  bool contiguous = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      contiguous = false;
      break;
    }
    expected *= sizes_[i];
  }
  contiguous_ = contiguous || numel_ == 0;
}

TensorImpl::~TensorImpl() = default;

IntrusivePtr<TensorImpl> TensorImpl::alias_without_base() const {
  auto alias = IntrusivePtr<TensorImpl>::make(storage_, dtype_, sizes_, strides_, storage_offset_);
  alias->autograd_meta_ = autograd_meta_;
  alias->is_inference_ = is_inference_;
  return alias;
}

}  // namespace ember
