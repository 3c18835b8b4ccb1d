// Data-parallel training: process groups and their collectives.
#pragma once

#include "ember/dist/process_group.h"
