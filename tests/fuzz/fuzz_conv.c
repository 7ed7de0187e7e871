/*
 * fuzz_conv.c - the tree-conventions reader (conv.c), for --rules FILE.
 *
 * Input: the text of a conventions file.  Text that parses must answer the
 * lookups a run makes.
 */
#include <stdio.h>

#include "model/conv.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = mc_fuzz_text(data, size);
	mc_conv conv;
	memset(&conv, 0, sizeof(conv));
	if (mc_conv_parse(&conv, "fuzz.conv", text) == 0) {
		const char *family;
		int major, minor;
		(void)mc_conv_is_skipped(&conv, "hw/core/machine.c");
		(void)mc_conv_arch_for(&conv, "hw/i386/pc.c");
		(void)mc_conv_kind_of(&conv, "qdev_prop_uint32");
		(void)mc_conv_match_compat_array(&conv, "hw_compat_9_2", &family, &major, &minor);
		(void)mc_conv_match_compat_macro(&conv, "HW_COMPAT_2_12", &family, &major, &minor);
		(void)mc_conv_match_compat_function(&conv, "pc_compat_9_2_fn", &family, &major, &minor);
		(void)mc_conv_match_compat_machine(&conv, "pc-q35-9.2", &family, &major, &minor);
		(void)mc_conv_match_compat_defaults(&conv, "pc_compat_defaults");
		(void)mc_conv_is_dynamic_suffix(&conv, "virtio-blk-pci");
	}
	mc_conv_free(&conv);
	mc_error_clear();
	free(text);
	return 0;
}
