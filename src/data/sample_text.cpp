// The built-in demo text for character-level language models: a few
// kilobytes of plain prose, written for Ember, so a model can be trained and
// sampled with no data on disk.
#include "ember/data/datasets.h"

namespace ember::data {

const std::string& CharText::sample_text() {
  static const std::string text =
      "The smith came down to the forge before the sun was up. The fire had slept under its ash all night, "
      "and when she lifted the cover the embers looked back at her, red and patient, like the eyes of an old dog "
      "that knows it will be fed. She gave them a little air and a handful of charcoal, and the forge began to "
      "breathe again.\n\n"
      "A fire that is kept is easier than a fire that is made. Her mother had told her that, and her mother's "
      "mother before, and it was true of more than fires. A fire that is kept asks only for attention: a little "
      "fuel, a little air, a hand that knows when to leave it alone. A fire that is made asks for everything at "
      "once, and it will often refuse.\n\n"
      "She worked the bellows slowly. The coals went from red to orange to the yellow of late summer, and the "
      "iron bar in the heart of them took on the same colours one after the other, as if it were learning them. "
      "When it was ready she drew it out, laid it on the anvil, and struck. The first blow is always the loudest. "
      "After that the iron begins to listen, and the work becomes a conversation.\n\n"
      "People who watch a smith think the hammer does the work. It does not. The heat does the work; the hammer "
      "only tells the heat where to go. Strike a cold bar and it will crack or ring or bend in the wrong place. "
      "Strike a bar that is too hot and it will crumble. Strike it at the right heat and it will move under the "
      "hammer like clay under a thumb, and keep the shape you give it when it cools.\n\n"
      "By noon she had made six hooks, a hinge, and a blade for a neighbour's plough. Each one had gone back to "
      "the fire many times. That is the part the watchers forget: the going back. No piece is finished in one "
      "heat. You shape it a little, you return it to the coals, you wait, you shape it again. The waiting is not "
      "wasted. The waiting is where the metal becomes even inside, where the stresses of the last blows are "
      "forgiven.\n\n"
      "In the afternoon a boy came to the door and asked if he could learn. She asked him what he wanted to make. "
      "He said he did not know yet. She told him that was the right answer, and handed him the broom. For a week "
      "he swept the floor and carried charcoal and watched. For another week he worked the bellows while she "
      "worked the iron. On the third week she gave him a bar of his own and let him ruin it, which he did, and "
      "then another, which he ruined less.\n\n"
      "Learning a craft is a slow fire. Every mistake is a little fuel. Every small success is a little air. The "
      "teacher's work is to keep the fire from going out and to keep it from burning too fast, and most of all "
      "to know when to leave it alone. After a year the boy could make a hook that would hold a coat, and a "
      "hinge that would swing without a sound, and he had begun to know what he wanted to make.\n\n"
      "At the end of each day she banked the fire. She raked the coals together into a small hill, covered them "
      "with ash, and closed the vents, so that the fire would sleep instead of die. In the morning it would be "
      "there, red and patient, waiting for a little air. The boy asked her once why she did not simply let it "
      "go out and light it fresh each day. She said that a fire remembers. A forge that is kept warm works "
      "better than one that is always starting over, the way a hand that is used every day works better than "
      "one that rests for a season.\n\n"
      "Years later the boy kept his own forge in another village. He banked his fire every night, and every "
      "morning he found the embers waiting, and every morning he thought of her.\n";
  return text;
}

}  // namespace ember::data
