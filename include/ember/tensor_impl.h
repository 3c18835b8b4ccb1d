// What a Tensor handle points at: a strided view (sizes, strides, offset,
// dtype) over a shared Storage. Views are new TensorImpls on the same Storage.
#pragma once

#include <memory>

#include "ember/dtype.h"
#include "ember/intrusive_ptr.h"
#include "ember/shape.h"
#include "ember/storage.h"

namespace ember {

// Gradient bookkeeping (requires_grad, grad, grad_fn); filled in by autograd.
struct AutogradMeta;

class TensorImpl : public RefCounted {
 public:
  TensorImpl(IntrusivePtr<Storage> storage, Dtype dtype, Shape sizes, Shape strides, int64_t storage_offset);
  ~TensorImpl() override;
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  const IntrusivePtr<Storage>& storage() const { return storage_; }
  Dtype dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t storage_offset() const { return storage_offset_; }
  int64_t numel() const { return numel_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  bool is_contiguous() const { return contiguous_; }
  // Address of element 0 of this view.
  void* data() const {
    return static_cast<char*>(storage_->data()) + storage_offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // Autograd's per-tensor state; null for tensors that never took part in it.
  const std::shared_ptr<AutogradMeta>& autograd_meta() const { return autograd_meta_; }
  std::shared_ptr<AutogradMeta>& autograd_meta() { return autograd_meta_; }
  // Made by a view op (view, slice, permute...), sharing another tensor's data.
  bool is_view() const { return is_view_; }
  void mark_view() {
    if (!is_view_) storage_->add_view();
    is_view_ = true;
  }
  // Made inside InferenceMode: can never require grad.
  bool is_inference() const { return is_inference_; }

 private:
  IntrusivePtr<Storage> storage_;
  Shape sizes_;
  Shape strides_;
  int64_t storage_offset_;
  int64_t numel_;
  Dtype dtype_;
  bool contiguous_;
  bool is_view_ = false;
  bool is_inference_;
  std::shared_ptr<AutogradMeta> autograd_meta_;
};

}  // namespace ember
