/*
 * cmd-labels.c - `bienmuc labels` (placeholder until labels.c lands).
 */
#include "cmd.h"

int cmd_labels(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd_error("labels", "not yet");
	return 2;
}
